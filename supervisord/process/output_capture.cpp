#include "supervisord/process/output_capture.h"

namespace process {

namespace {

// medusa's find_prefix_at_end: the length of the longest proper prefix of `token`
// that `data` ends with.
size_t prefixAtEnd(std::string_view data, std::string_view token) {
  for (size_t length = token.size() - 1; length > 0; --length)
    if (data.size() >= length && data.substr(data.size() - length) == token.substr(0, length)) return length;
  return 0;
}

}  // namespace

void OutputCapture::emit(std::string data, Result& result) {
  if (data.empty()) return;
  if (capturing_) {
    // BoundIO.write: when the buffer would exceed maxbytes, as many bytes as are
    // being written are dropped from its front.
    if (static_cast<int64_t>(capture_.size() + data.size()) > maxbytes_)
      capture_.erase(0, std::min(capture_.size(), data.size()));
    capture_ += data;
  }
  result.pieces.push_back(Piece{std::move(data), capturing_});
}

void OutputCapture::toggle(Result& result) {
  capturing_ = !capturing_;
  if (!capturing_) {
    result.communications.push_back(std::move(capture_));
    capture_.clear();
  }
}

OutputCapture::Result OutputCapture::feed(std::string_view bytes) {
  Result result;
  if (maxbytes_ <= 0) {
    emit(std::string(bytes), result);
    return result;
  }
  pending_.append(bytes);
  // Unlike Supervisor, which handles one token per read, every complete token in
  // what has arrived is handled now, so a capture ends as soon as its END arrives.
  while (true) {
    const std::string_view token = capturing_ ? kEndToken : kBeginToken;
    size_t at = pending_.find(token);
    if (at == std::string::npos) {
      size_t held = prefixAtEnd(pending_, token);
      emit(pending_.substr(0, pending_.size() - held), result);
      pending_.erase(0, pending_.size() - held);
      return result;
    }
    emit(pending_.substr(0, at), result);
    pending_.erase(0, at + token.size());
    toggle(result);
  }
}

OutputCapture::Result OutputCapture::finish() {
  Result result;
  emit(std::move(pending_), result);
  pending_.clear();
  return result;
}

}  // namespace process
