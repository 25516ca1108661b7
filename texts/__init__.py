"""The ground floor: what every other floor may use to speak to people. Today the
callback codec; the message catalog and formatting join it as the house is rebuilt."""
