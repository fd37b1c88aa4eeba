#pragma once
// OutputCapture: Supervisor's "capture mode" for one output channel of a child
// (dispatchers.py POutputDispatcher.record_output). With *_capture_maxbytes > 0,
// what a child writes between <!--XSUPERVISOR:BEGIN--> and <!--XSUPERVISOR:END-->
// is kept out of its log file and becomes a PROCESS_COMMUNICATION event.
//
// Pure: feed it the bytes read from the pipe, get back what to log, what was
// captured, and the completed communications. Bytes that may be the start of a
// token are held back until the next read (or finish()).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace process {

class OutputCapture {
 public:
  static constexpr std::string_view kBeginToken = "<!--XSUPERVISOR:BEGIN-->";
  static constexpr std::string_view kEndToken = "<!--XSUPERVISOR:END-->";

  // A piece of output: to the child's log file (normal mode) or into the capture
  // buffer (capture mode). Both kinds still count as output for PROCESS_LOG events
  // and the main log, as in Supervisor.
  struct Piece {
    std::string data;
    bool captured = false;
  };
  struct Result {
    std::vector<Piece> pieces;
    std::vector<std::string> communications;  // payloads of completed captures, in order
  };

  // captureMaxbytes = 0: capture mode is off and every byte is a normal piece at once.
  explicit OutputCapture(int64_t captureMaxbytes) : maxbytes_(captureMaxbytes) {}

  Result feed(std::string_view bytes);
  // End of output: whatever was held back is emitted in the current mode.
  Result finish();
  bool capturing() const { return capturing_; }

 private:
  void emit(std::string data, Result& result);
  void toggle(Result& result);

  int64_t maxbytes_;
  bool capturing_ = false;
  std::string pending_;  // may end with the start of a token
  std::string capture_;  // Supervisor's BoundIO
};

}  // namespace process
