//! QR code images of the SignedQRCode, the code a printed e-invoice
//! carries, as SVG or PNG (as gst_irn's `get_qr_code_image_base64` does).
//!
//! The matrix comes from the `qrcode` crate; PNG is written with the `png`
//! crate directly (a grey-scale bitmap), which avoids the much larger
//! `image` crate for what is a plain black-and-white grid.

use std::fmt;

pub use qrcode::EcLevel;
use qrcode::{Color, QrCode};

/// Largest module size accepted, in pixels (a 4000-pixel-wide image for
/// the largest QR version).
pub const MAX_MODULE_PX: u32 = 20;

/// Modules of light border around the code, as the QR standard asks.
const QUIET_ZONE: usize = 4;

/// Why no QR code could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QrError {
    /// The text does not fit a QR code at this error-correction level.
    #[error("a QR code cannot hold {len} bytes at error correction {level:?}: {message}")]
    TooLong {
        /// Bytes of text.
        len: usize,
        /// The level asked for.
        level: EcLevel,
        /// The encoder's message.
        message: String,
    },
    /// The module size is outside 1..=[`MAX_MODULE_PX`].
    #[error("module size {0} px must be between 1 and {MAX_MODULE_PX}")]
    ModuleSize(u32),
    /// PNG encoding failed.
    #[error("cannot write the PNG: {0}")]
    Png(String),
}

/// A QR code of some text (normally the SignedQRCode JWT), ready to render.
#[derive(Clone)]
pub struct QrImage {
    code: QrCode,
}

impl QrImage {
    /// The QR code of `text` at error correction M (the `qrcode` default,
    /// and gst_irn's).
    pub fn new(text: &str) -> Result<Self, QrError> {
        Self::with_level(text, EcLevel::M)
    }

    /// The QR code of `text` at `level`.
    pub fn with_level(text: &str, level: EcLevel) -> Result<Self, QrError> {
        QrCode::with_error_correction_level(text.as_bytes(), level)
            .map(|code| QrImage { code })
            .map_err(|e| QrError::TooLong {
                len: text.len(),
                level,
                message: e.to_string(),
            })
    }

    /// Modules per side, without the quiet zone.
    pub fn modules(&self) -> usize {
        self.code.width()
    }

    /// Pixels per side of an image with `module_px`-pixel modules and the
    /// quiet zone.
    pub fn image_size(&self, module_px: u32) -> u32 {
        (self.modules() + 2 * QUIET_ZONE) as u32 * module_px
    }

    /// An SVG document, `module_px` units per module, with the quiet zone.
    pub fn to_svg(&self, module_px: u32) -> Result<String, QrError> {
        check_module_px(module_px)?;
        Ok(self
            .code
            .render::<qrcode::render::svg::Color<'_>>()
            .quiet_zone(true)
            .module_dimensions(module_px, module_px)
            .build())
    }

    /// A PNG (8-bit grey), `module_px` pixels per module, with the quiet
    /// zone.
    pub fn to_png(&self, module_px: u32) -> Result<Vec<u8>, QrError> {
        check_module_px(module_px)?;
        let modules = self.modules();
        let colors = self.code.to_colors();
        let scale = module_px as usize;
        let side = (modules + 2 * QUIET_ZONE) * scale;
        let mut pixels = vec![255u8; side * side];
        for (i, color) in colors.iter().enumerate() {
            if *color != Color::Dark {
                continue;
            }
            let (x, y) = (i % modules + QUIET_ZONE, i / modules + QUIET_ZONE);
            for row in y * scale..(y + 1) * scale {
                pixels[row * side + x * scale..row * side + (x + 1) * scale].fill(0);
            }
        }
        let mut out = Vec::new();
        let png_error = |e: png::EncodingError| QrError::Png(e.to_string());
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(png_error)?;
        writer.write_image_data(&pixels).map_err(png_error)?;
        writer.finish().map_err(png_error)?;
        Ok(out)
    }

    /// The PNG as a `data:image/png;base64,...` URI, for an HTML `<img>`.
    pub fn to_png_data_uri(&self, module_px: u32) -> Result<String, QrError> {
        Ok(format!(
            "data:image/png;base64,{}",
            crate::crypto::encode_base64(&self.to_png(module_px)?)
        ))
    }
}

impl fmt::Debug for QrImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QrImage")
            .field("version", &self.code.version())
            .field("level", &self.code.error_correction_level())
            .field("modules", &self.modules())
            .finish()
    }
}

fn check_module_px(module_px: u32) -> Result<(), QrError> {
    if (1..=MAX_MODULE_PX).contains(&module_px) {
        Ok(())
    } else {
        Err(QrError::ModuleSize(module_px))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_qr() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/signed_qr_code.jwt");
        std::fs::read_to_string(path).unwrap()
    }

    /// Read back a PNG and return (width, height, grey pixels).
    fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn png_pixels_match_the_matrix() {
        let image = QrImage::new(&signed_qr()).unwrap();
        let modules = image.modules();
        let png = image.to_png(3).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let (w, h, pixels) = decode_png(&png);
        assert_eq!((w, h), (image.image_size(3), image.image_size(3)));
        let colors = image.code.to_colors();
        let side = w as usize;
        for y in 0..modules {
            for x in 0..modules {
                // Centre pixel of each module.
                let px = pixels[((y + QUIET_ZONE) * 3 + 1) * side + (x + QUIET_ZONE) * 3 + 1];
                let dark = colors[y * modules + x] == Color::Dark;
                assert_eq!(px == 0, dark, "module ({x}, {y})");
            }
        }
        // The quiet zone is light.
        assert!(pixels[..side * QUIET_ZONE * 3].iter().all(|&p| p == 255));
    }

    #[test]
    fn svg_and_data_uri() {
        let image = QrImage::new(&signed_qr()).unwrap();
        let svg = image.to_svg(4).unwrap();
        assert!(
            svg.starts_with("<?xml") && svg.contains("<svg") && svg.trim_end().ends_with("</svg>")
        );
        let size = image.image_size(4);
        assert!(
            svg.contains(&format!("width=\"{size}\"")),
            "{}",
            &svg[..200]
        );
        let uri = image.to_png_data_uri(2).unwrap();
        assert!(uri.starts_with("data:image/png;base64,iVBORw0KGgo"));
    }

    #[test]
    fn bad_inputs_are_named() {
        let image = QrImage::new("hello").unwrap();
        assert_eq!(
            image.to_png(0).unwrap_err().to_string(),
            "module size 0 px must be between 1 and 20"
        );
        assert_eq!(image.to_svg(21).unwrap_err(), QrError::ModuleSize(21));
        let e = QrImage::with_level(&"x".repeat(3000), EcLevel::H).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("a QR code cannot hold 3000 bytes at error correction H"),
            "{e}"
        );
        let shown = format!("{image:?}");
        assert!(shown.contains("modules"), "{shown}");
    }
}
