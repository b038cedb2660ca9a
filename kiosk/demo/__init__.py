"""The scripted demo: a driver for the real app, scripts, a private Xvfb and the sample library."""
