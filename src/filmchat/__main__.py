from filmchat.cli import main

main()
