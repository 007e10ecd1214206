from gameday.cli.main import main

main()
