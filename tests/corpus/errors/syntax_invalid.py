# SyntaxError (invalid syntax): nothing runs, so stdout is empty.
print("this line never runs")
x = = 1
