from servicetui.cli.main import main

main()
