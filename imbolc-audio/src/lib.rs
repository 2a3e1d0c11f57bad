//! The audio side of Imbolc.
