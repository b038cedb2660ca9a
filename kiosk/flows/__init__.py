"""What the touch screens call: the reader's session and the staff flows, in pure Python
(no Kivy), so they are tested without a display."""
