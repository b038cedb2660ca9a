"""Touch-UI helpers that are not screens: boot-time Kivy settings, fonts, theme, the reader's
session (pure Python), UI text, and the driver that plays scripts and tests on the real app."""
