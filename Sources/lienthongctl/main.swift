print("lienthongctl: under construction")
