//! The seam to optical character recognition. The pure core runs no
//! program itself: the caller hands the [`Assessor`](crate::Assessor) an
//! implementation (zegel-ocr runs Tesseract, bounded in pages, pixels and
//! seconds). Without one, a scan or photo that may hold text is
//! unreadable, and unreadable content fails closed.

/// Reads the text in pictures and in PDF pages without a text layer.
pub trait Ocr: Send + Sync {
    /// The text of one picture (PNG, JPEG, TIFF, GIF, BMP, WebP).
    fn image_text(&self, image: &[u8]) -> Result<String, OcrError>;
    /// The text of the pages of a PDF, rendered and recognised.
    fn pdf_text(&self, pdf: &[u8]) -> Result<String, OcrError>;
}

/// Why OCR could not read a picture or a PDF; its text is for people
/// (it becomes the reason an attachment is unreadable).
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// The picture's header cannot be read.
    #[error("damaged picture: {0}")]
    DamagedPicture(String),
    /// The picture has more pixels than the configured limit.
    #[error("picture of {width}×{height} pixels is larger than max_pixels")]
    TooManyPixels {
        /// Width in pixels.
        width: usize,
        /// Height in pixels.
        height: usize,
    },
    /// The OCR or rendering program could not be started.
    #[error("{program} does not run: {source}")]
    NotRunning {
        /// The program's name or path.
        program: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The program ran past its time limit and was stopped.
    #[error("{program} took longer than {seconds} s")]
    TimedOut {
        /// The program's name or path.
        program: String,
        /// The limit in seconds.
        seconds: u64,
    },
    /// The program ended with an error status.
    #[error("{program} failed ({status})")]
    Failed {
        /// The program's name or path.
        program: String,
        /// Its exit status, as the system describes it.
        status: String,
    },
    /// Reading or writing the private working files failed.
    #[error("{what}: {source}")]
    Files {
        /// Which files.
        what: &'static str,
        /// What the operating system said.
        source: std::io::Error,
    },
}
