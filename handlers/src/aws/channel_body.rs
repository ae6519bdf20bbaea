//! A request body fed through a channel: what a streamed PutObject sends while its
//! bytes are still being read from elsewhere. An error sent down the channel aborts
//! the request, so S3 stores nothing.

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use aws_sdk_s3::primitives::{ByteStream, SdkBody};
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::sync::mpsc;

/// Why a streamed body broke off.
pub type BodyError = Box<dyn std::error::Error + Send + Sync>;

/// The sending end: chunks in order, or an error to abort the request.
pub type BodySender = mpsc::Sender<Result<Bytes, BodyError>>;

/// The receiving end, as an HTTP body of `length` bytes.
#[derive(Debug)]
struct ChannelBody {
    chunks: mpsc::Receiver<Result<Bytes, BodyError>>,
    length: u64,
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        self.chunks
            .poll_recv(cx)
            .map(|chunk| chunk.map(|chunk| chunk.map(Frame::data)))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.length)
    }
}

/// A body of exactly `length` bytes, and the sender that feeds it (at most `depth`
/// chunks wait in between, so memory stays bounded).
pub fn channel(length: u64, depth: usize) -> (BodySender, ByteStream) {
    let (sender, chunks) = mpsc::channel(depth);
    let body = SdkBody::from_body_1_x(ChannelBody { chunks, length });
    (sender, ByteStream::new(body))
}
