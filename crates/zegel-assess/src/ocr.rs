//! The seam to optical character recognition. The pure core runs no
//! program itself: the caller hands the [`Assessor`](crate::Assessor) an
//! implementation (zegel-ocr runs Tesseract, bounded in pages, pixels and
//! seconds). Without one, a scan or photo that may hold text is
//! unreadable, and unreadable content fails closed.

/// Reads the text in pictures and in PDF pages without a text layer.
pub trait Ocr: Send + Sync {
    /// The text of one picture (PNG, JPEG, TIFF, GIF, BMP, WebP).
    /// `Err` says why it could not be read, for people.
    fn image_text(&self, image: &[u8]) -> Result<String, String>;
    /// The text of the pages of a PDF, rendered and recognised.
    fn pdf_text(&self, pdf: &[u8]) -> Result<String, String>;
}
