"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('activity',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('people', sa.String(length=500), nullable=False),
    sa.Column('projects_contacted', sa.Text(), nullable=False),
    sa.Column('contacted_count', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_on'), ['on'], unique=False)

    op.create_table('auditentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('batch', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('entity', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=50), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('undo_of', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auditentry'))
    )
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_actor_batch', ['actor', 'batch'], unique=False)
        batch_op.create_index('ix_audit_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_undo_of'), ['undo_of'], unique=False)

    op.create_table('department',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('short_name', sa.String(length=50), nullable=False),
    sa.Column('funds_target', sa.BigInteger(), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department')),
    sa.UniqueConstraint('name', name=op.f('uq_department_name'))
    )
    op.create_table('park',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['park.id'], name=op.f('fk_park_parent_id_park')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park')),
    sa.UniqueConstraint('name', name=op.f('uq_park_name'))
    )
    op.create_table('reviewsession',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('chair', sa.String(length=100), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=False),
    sa.Column('scope', sa.String(length=100), nullable=False),
    sa.Column('order', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('current_index', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviewsession'))
    )
    with op.batch_alter_table('reviewsession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewsession_status'), ['status'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('person',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('login', sa.String(length=50), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_person_department_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('login', name=op.f('uq_person_login'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_name'), ['name'], unique=False)

    op.create_table('project',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('industry', sa.String(length=100), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('stalled', sa.Boolean(), nullable=False),
    sa.Column('agreed_investment', sa.BigInteger(), nullable=False),
    sa.Column('annual_plan', sa.BigInteger(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('target_production_on', sa.Date(), nullable=True),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('lead_department_id', sa.Integer(), nullable=True),
    sa.Column('source_event', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['lead_department_id'], ['department.id'], name=op.f('fk_project_lead_department_id_department')),
    sa.ForeignKeyConstraint(['leader_id'], ['person.id'], name=op.f('fk_project_leader_id_person')),
    sa.ForeignKeyConstraint(['officer_id'], ['person.id'], name=op.f('fk_project_officer_id_person')),
    sa.ForeignKeyConstraint(['park_id'], ['park.id'], name=op.f('fk_project_park_id_park')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('code', name=op.f('uq_project_code'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_company'), ['company'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_lead_department_id'), ['lead_department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_leader_id'), ['leader_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_stage'), ['stage'], unique=False)

    op.create_table('fundsreport',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_fundsreport_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fundsreport')),
    sa.UniqueConstraint('project_id', 'year', 'month', name=op.f('uq_fundsreport_project_id_year_month'))
    )
    with op.batch_alter_table('fundsreport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fundsreport_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fundsreport_year'), ['year'], unique=False)

    op.create_table('problem',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('co_departments', sa.String(length=500), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('raised_on', sa.Date(), nullable=True),
    sa.Column('raised_by', sa.String(length=100), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('escalation', sa.Integer(), nullable=False),
    sa.Column('turn', sa.String(length=10), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=False),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_problem_department_id_department')),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_problem_owner_id_person')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_problem_project_id_project')),
    sa.ForeignKeyConstraint(['session_id'], ['reviewsession.id'], name=op.f('fk_problem_session_id_reviewsession')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem'))
    )
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_department_id'), ['department_id'], unique=False)
        batch_op.create_index('ix_problem_department_status', ['department_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_due'), ['due'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_status'), ['status'], unique=False)
        batch_op.create_index('ix_problem_status_due', ['status', 'due'], unique=False)

    op.create_table('reviewitem',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('reviewed', sa.Boolean(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_reviewitem_project_id_project')),
    sa.ForeignKeyConstraint(['session_id'], ['reviewsession.id'], name=op.f('fk_reviewitem_session_id_reviewsession')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviewitem')),
    sa.UniqueConstraint('session_id', 'project_id', name=op.f('uq_reviewitem_session_id_project_id'))
    )
    with op.batch_alter_table('reviewitem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewitem_session_id'), ['session_id'], unique=False)

    op.create_table('unit',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_unit_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('project_id', 'name', name=op.f('uq_unit_project_id_name'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_project_id'), ['project_id'], unique=False)

    op.create_table('milestone',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('baseline_on', sa.Date(), nullable=True),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('actual_start_on', sa.Date(), nullable=True),
    sa.Column('actual_finish_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('blocker', sa.String(length=500), nullable=False),
    sa.Column('slip_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_milestone_project_id_project')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_milestone_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone')),
    sa.UniqueConstraint('unit_id', 'kind', name=op.f('uq_milestone_unit_id_kind'))
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestone_unit_id'), ['unit_id'], unique=False)

    op.create_table('problemevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('on', sa.Date(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_problemevent_problem_id_problem')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problemevent'))
    )
    with op.batch_alter_table('problemevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problemevent_problem_id'), ['problem_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('problemevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problemevent_problem_id'))

    op.drop_table('problemevent')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_unit_id'))
        batch_op.drop_index(batch_op.f('ix_milestone_project_id'))

    op.drop_table('milestone')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_project_id'))

    op.drop_table('unit')
    with op.batch_alter_table('reviewitem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewitem_session_id'))

    op.drop_table('reviewitem')
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.drop_index('ix_problem_status_due')
        batch_op.drop_index(batch_op.f('ix_problem_status'))
        batch_op.drop_index(batch_op.f('ix_problem_session_id'))
        batch_op.drop_index(batch_op.f('ix_problem_project_id'))
        batch_op.drop_index(batch_op.f('ix_problem_kind'))
        batch_op.drop_index(batch_op.f('ix_problem_due'))
        batch_op.drop_index('ix_problem_department_status')
        batch_op.drop_index(batch_op.f('ix_problem_department_id'))
        batch_op.drop_index(batch_op.f('ix_problem_category'))

    op.drop_table('problem')
    with op.batch_alter_table('fundsreport', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fundsreport_year'))
        batch_op.drop_index(batch_op.f('ix_fundsreport_project_id'))

    op.drop_table('fundsreport')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_stage'))
        batch_op.drop_index(batch_op.f('ix_project_park_id'))
        batch_op.drop_index(batch_op.f('ix_project_officer_id'))
        batch_op.drop_index(batch_op.f('ix_project_name'))
        batch_op.drop_index(batch_op.f('ix_project_leader_id'))
        batch_op.drop_index(batch_op.f('ix_project_lead_department_id'))
        batch_op.drop_index(batch_op.f('ix_project_company'))

    op.drop_table('project')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_name'))

    op.drop_table('person')
    op.drop_table('setting')
    with op.batch_alter_table('reviewsession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewsession_status'))

    op.drop_table('reviewsession')
    op.drop_table('park')
    op.drop_table('department')
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditentry_undo_of'))
        batch_op.drop_index(batch_op.f('ix_auditentry_project_id'))
        batch_op.drop_index(batch_op.f('ix_auditentry_at'))
        batch_op.drop_index('ix_audit_entity')
        batch_op.drop_index('ix_audit_actor_batch')

    op.drop_table('auditentry')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_on'))
        batch_op.drop_index(batch_op.f('ix_activity_kind'))

    op.drop_table('activity')

