"""Constants shared by the hardware tests (a uniquely named module, importable via rootdir)."""

CLASSIC_UID = bytes.fromhex("DEADBEEF")
NTAG_UID = bytes.fromhex("04A1B2C3D4E5F6")
