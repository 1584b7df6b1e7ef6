from genloom.cli import main

main()
