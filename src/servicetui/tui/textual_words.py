"""Chinese for the words Textual itself shows: its widgets' key descriptions (the help screen and the
command palette list them beside ours), its system commands and the command palette's own texts.

Textual writes these in English in its classes. The app's own bindings carry keys of the strings
table instead (`strings.t`); these are looked up by Textual's English text, so a description not
listed here (a new Textual release) shows in English until it is added. A test walks the Textual
widgets the app uses and fails on any description missing here.
"""

from __future__ import annotations

# Textual's binding descriptions (App, Screen, ScrollView, Input, TextArea, Select, DataTable, Tabs,
# OptionList, Checkbox, Button, the command palette) -> Chinese
BINDING_ZH: dict[str, str] = {
    "Bottom": "到底部",
    "Copy": "复制",
    "Copy selected text": "复制选中文字",
    "Cursor down": "光标下移",
    "Cursor down select": "向下选择",
    "Cursor left": "光标左移",
    "Cursor left select": "向左选择",
    "Cursor left word select": "向左选择一词",
    "Cursor line end": "光标到行尾",
    "Cursor line end select": "选择到行尾",
    "Cursor line start": "光标到行首",
    "Cursor line start select": "选择到行首",
    "Cursor page down": "光标下翻一页",
    "Cursor page up": "光标上翻一页",
    "Cursor right": "光标右移",
    "Cursor right select": "向右选择",
    "Cursor right word select": "向右选择一词",
    "Cursor up": "光标上移",
    "Cursor up select": "向上选择",
    "Cursor word left": "光标左移一词",
    "Cursor word right": "光标右移一词",
    "Cut": "剪切",
    "Cut selected text": "剪切选中文字",
    "Delete all to the left": "删除光标左侧全部",
    "Delete all to the right": "删除光标右侧全部",
    "Delete character left": "删除左侧一字",
    "Delete character right": "删除右侧一字",
    "Delete left to start of word": "向左删除一词",
    "Delete line": "删除整行",
    "Delete right to start of word": "向右删除一词",
    "Delete to line end": "删除到行尾",
    "Delete to line start": "删除到行首",
    "Dismiss menu": "关闭菜单",
    "Down": "下移",
    "End": "到末尾",
    "Exit the command palette": "关闭命令面板",
    "First": "第一项",
    "Focus Next": "下一个输入项",
    "Focus Previous": "上一个输入项",
    "Go to bottom": "到底部",
    "Go to end": "到末尾",
    "Go to start": "到开头",
    "Go to top": "到顶部",
    "Home": "到开头",
    "Last": "最后一项",
    "Move cursor left": "光标左移",
    "Move cursor left a word": "光标左移一词",
    "Move cursor left a word and select": "向左选择一词",
    "Move cursor left and select": "向左选择",
    "Move cursor right a word": "光标右移一词",
    "Move cursor right a word and select": "向右选择一词",
    "Move cursor right and select": "向右选择",
    "Move cursor right or accept the completion suggestion": "光标右移（或采用补全建议）",
    "Next command": "下一条命令",
    "Next page": "下一页",
    "Next tab": "下一个标签页",
    "Page Down": "下一页",
    "Page Left": "向左翻页",
    "Page Right": "向右翻页",
    "Page Up": "上一页",
    "Page down": "下一页",
    "Page up": "上一页",
    "Paste": "粘贴",
    "Paste text from the clipboard": "从剪贴板粘贴",
    "Press button": "按下按钮",
    "Previous command": "上一条命令",
    "Previous page": "上一页",
    "Previous tab": "上一个标签页",
    "Quit": "退出",
    "Redo": "重做",
    "Scroll Down": "向下滚动",
    "Scroll End": "滚动到底",
    "Scroll Home": "滚动到顶",
    "Scroll Left": "向左滚动",
    "Scroll Right": "向右滚动",
    "Scroll Up": "向上滚动",
    "Select": "选择",
    "Select all": "全选",
    "Select line": "选择整行",
    "Select line end": "选择到行尾",
    "Select line start": "选择到行首",
    "Show menu": "展开菜单",
    "Submit": "提交",
    "Toggle": "切换",
    "Top": "到顶部",
    "Undo": "撤销",
    "Up": "上移",
}


def binding_words(description: str, lang: str) -> str:
    """A binding's description in `lang`: Textual's own English ones in Chinese when lang is zh (the
    app's own descriptions are already translated, see widgets.translate_bindings)."""
    if lang == "zh":
        return BINDING_ZH.get(description, description)
    return description
