print("lienthongd: under construction")
