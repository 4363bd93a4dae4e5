print("cubeseg: the command line is being built")
