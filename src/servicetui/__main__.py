from servicetui.cli import start

start()
