"""Staff operations on the collection: shelf inventory, RFID labelling, rotation."""
