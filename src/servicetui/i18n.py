"""Interface language: Chinese by default, English as a setting.

`t(key, lang)` looks up a UI string; `label(field, lang)` a field name; `value(v, lang)` translates a
stored domain value (stored values are the Chinese words, see domain.enums).
"""

from __future__ import annotations

# field -> (zh, en)
FIELDS: dict[str, tuple[str, str]] = {
    "code": ("项目编号", "Code"),
    "name": ("名称", "Name"),
    "company": ("企业", "Company"),
    "industry": ("行业", "Industry"),
    "park_id": ("园区/片区", "Park/zone"),
    "kind": ("类型", "Kind"),
    "stage": ("阶段", "Stage"),
    "stalled": ("停滞", "Stalled"),
    "agreed_investment": ("协议总投资", "Agreed investment"),
    "annual_plan": ("年度计划投资", "Annual plan"),
    "signed_on": ("签约日期", "Signed on"),
    "start_on": ("开工日期", "Start date"),
    "target_production_on": ("计划投产日期", "Target production"),
    "leader_id": ("包抓县领导", "County leader"),
    "officer_id": ("首席服务官", "Service officer"),
    "lead_department_id": ("牵头单位", "Lead department"),
    "source_event": ("来源", "Source event"),
    "notes": ("备注", "Notes"),
    "project_id": ("项目", "Project"),
    "unit_id": ("单体", "Unit"),
    "seq": ("顺序", "Order"),
    "baseline_on": ("基准日期", "Baseline"),
    "planned_on": ("计划完成", "Planned"),
    "actual_start_on": ("实际开始", "Started"),
    "actual_finish_on": ("实际完成", "Finished"),
    "status": ("状态", "Status"),
    "blocker": ("受阻原因", "Blocker"),
    "slip_count": ("延期次数", "Slips"),
    "title": ("标题", "Title"),
    "detail": ("详情", "Detail"),
    "category": ("类别", "Category"),
    "department_id": ("责任单位", "Responsible dept."),
    "co_departments": ("配合单位", "Co-departments"),
    "owner_id": ("责任人", "Owner"),
    "raised_on": ("提出日期", "Raised on"),
    "raised_by": ("提出人", "Raised by"),
    "due": ("办结时限", "Due"),
    "escalation": ("督办级别", "Escalation"),
    "turn": ("待办方", "Whose turn"),
    "resolution": ("办理结果", "Resolution"),
    "done_on": ("办结日期", "Done on"),
    "closed_on": ("销号日期", "Closed on"),
    "closed_by": ("销号人", "Closed by"),
    "reopen_count": ("重开次数", "Reopened"),
    "archived": ("已归档", "Archived"),
    "year": ("年", "Year"),
    "month": ("月", "Month"),
    "amount": ("到位资金", "Funds in place"),
    "on": ("日期", "Date"),
    "place": ("地点", "Place"),
    "people": ("人员", "People"),
    "projects_contacted": ("对接项目", "Projects contacted"),
    "contacted_count": ("对接项目数", "Projects contacted (count)"),
    "short_name": ("简称", "Short name"),
    "funds_target": ("到位资金目标", "Funds target"),
    "phone": ("电话", "Phone"),
    "login": ("登录名", "Login"),
    "role": ("角色", "Role"),
    "parent_id": ("所属园区", "Parent park"),
    "note": ("说明", "Note"),
    "reason": ("原因", "Reason"),
    "text": ("内容", "Text"),
    "held_on": ("会议日期", "Meeting date"),
    "chair": ("主持人", "Chair"),
    "attendees": ("参会人员", "Attendees"),
    "scope": ("范围", "Scope"),
    "order": ("顺序", "Order"),
    "minutes": ("会议记录", "Minutes"),
    "reviewed": ("已审议", "Reviewed"),
    "current_index": ("当前项目", "Current project"),
    "value": ("值", "Value"),
    "warn_days": ("提前预警天数", "Warn days"),
    "county": ("县名", "County"),
    "bureau": ("填报单位", "Reporting unit"),
}

# stored domain value (zh) -> en
VALUES_EN: dict[str, str] = {
    "储备": "Reserve", "在谈": "Negotiating", "签约": "Signed", "开工": "Started", "在建": "Building",
    "投产": "Producing", "达效": "At capacity",
    "新引进": "New", "续建": "Continuing",
    "地基": "Foundation", "主体钢结构": "Steel frame", "屋面钢结构": "Roof steel", "地面硬化": "Floor",
    "设备安装": "Equipment", "竣工验收": "Acceptance",
    "未开始": "Not started", "进行中": "In progress", "已完成": "Done", "受阻": "Blocked",
    "问题": "Problem", "任务": "Task", "议定事项": "Decision",
    "土地": "Land", "规划": "Planning", "用电": "Power", "用水": "Water", "用气": "Gas", "用工": "Labour",
    "融资": "Finance", "审批手续": "Approvals", "基础设施": "Infrastructure", "其他": "Other",
    "待交办": "To assign", "已交办": "Assigned", "办理中": "In hand", "已办结": "Done (to close)",
    "已销号": "Closed",
    "服务官": "Officer", "责任单位": "Department", "企业": "Company", "县领导": "Leader",
    "首席服务官": "Service officer", "部门联络员": "Dept. contact", "工作人员": "Staff",
    "走出去": "Outbound trip", "请进来": "Inbound visit", "签约会": "Signing", "推介会": "Promotion",
    "培训会": "Training",
    "红": "Red", "黄": "Yellow", "绿": "Green", "无": "None",
    "督办": "Chased", "县领导督办": "Leader chase",
}


ENTITIES: dict[str, tuple[str, str]] = {
    "park": ("园区", "park"), "department": ("责任单位", "department"), "person": ("人员", "person"),
    "project": ("项目", "project"), "unit": ("单体", "unit"), "milestone": ("节点", "milestone"),
    "problem": ("问题", "problem"), "problem_event": ("办理进展", "progress note"),
    "funds": ("到位资金", "funds report"), "activity": ("招商活动", "activity"),
    "review_session": ("调度会", "meeting"), "review_item": ("会议项目", "meeting item"),
    "setting": ("设置", "setting"),
}


def entity(name: str, lang: str = "zh") -> str:
    pair_ = ENTITIES.get(name, (name, name))
    return pair_[1] if lang == "en" else pair_[0]


def label(field: str, lang: str = "zh") -> str:
    pair = FIELDS.get(field)
    if pair is None:
        return field
    return pair[1] if lang == "en" else pair[0]


def pair(field: str) -> tuple[str, str]:
    return FIELDS.get(field, (field, field))


def value(v: object, lang: str = "zh") -> str:
    text = "" if v is None else str(v)
    if lang == "en":
        return VALUES_EN.get(text, text)
    return text
