# Uncaught TypeError from adding int and str.
count = 1
label = "a"
print("adding")
result = count + label
