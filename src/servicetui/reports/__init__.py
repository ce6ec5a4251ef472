"""Reports: the files that leave the app for other offices, and the ledgers that come in.

Writers are plain functions (no UI): they take an engine, options, an optional
``progress(done, total)`` callback and a path, and return a small result. Heavy libraries
(xlsxwriter, openpyxl, python-docx) are imported inside the functions that use them.

    problem_list   问题清单       xlsx / csv / md / json, one file per department
    ledger         项目台账       xlsx / csv
    monthly        月通报         model + md; monthly_docx renders the Word file
    quarterly      季考核         xlsx / md
    importer       导入台账       xlsx / csv, validated with the services' own field checks
    templates      空白模板       xlsx
    asof           数据回溯       the numbers as they stood at a past moment (audit trail)
"""
