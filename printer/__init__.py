"""Queue-ticket printing: render a slip as one raster image and send it to an ESC/POS printer."""
