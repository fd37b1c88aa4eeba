#pragma once
// stripAnsi: the `strip_ansi` option, with the exact behaviour of Supervisor's
// dispatchers.stripEscapes. A caller may rely on these quirks, kept on purpose:
//  - a sequence starts at ESC '[' and ends after the first of H f A B C D R s u J
//    K h l p m; the bytes in between are dropped whatever they are;
//  - an unterminated sequence drops everything to the end of the input;
//  - a lone ESC, or ESC not followed by '[', is kept;
//  - each call stands alone: a sequence split across two chunks of output is not
//    recognised (Supervisor strips per read chunk too).

#include <string>
#include <string_view>

namespace logs {

std::string stripAnsi(std::string_view bytes);

}  // namespace logs
