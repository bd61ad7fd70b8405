#pragma once

// Incremental RESP2 parser. Bytes may arrive split at any boundary; the parser keeps its place
// between feed() calls and never re-reads consumed input. Memory is bounded by `limits`: a
// declared bulk length or element count above the limit is rejected before anything is
// allocated for it, so a hostile peer cannot make us reserve gigabytes with a 20-byte header.
//
// Failure contract: malformed input is a value (status::error plus an errc and message), never
// an exception or a crash. After an error the parser stays failed until reset().

#include <cpamd/resp/value.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::resp
{

enum class errc
{
    none,
    bad_type_byte,     // frame starts with a byte that is not + - : $ *
    bad_line,          // a header line not terminated by CRLF, or too long
    bad_integer,       // a length or :integer that is not a decimal int64
    bad_length,        // negative length other than -1
    bulk_too_large,    // $N above limits::max_bulk
    too_many_elements, // *N above limits::max_elements
    too_deep,          // arrays nested deeper than limits::max_depth
    frame_too_large,   // a whole frame above limits::max_frame
    bad_bulk_end       // bulk payload not followed by CRLF
};

// Short English description of an errc ("bulk length above limit" ...).
const char* describe(errc e);

struct limits
{
    std::size_t max_bulk = 64u * 1024 * 1024;   // bytes in one bulk string
    std::size_t max_elements = 1024u * 1024;    // elements in one array
    std::size_t max_depth = 8;                  // 1 = flat arrays only (commands)
    std::size_t max_frame = 256u * 1024 * 1024; // payload bytes plus 16 per element, per frame
    std::size_t max_line = 64u * 1024;          // header line / simple string / error line
};

class parser
{
public:
    enum class status
    {
        need_more, // all of the input was consumed; feed more
        done,      // a frame is complete: take() it; unconsumed input is left in `in`
        error      // see error()
    };

    explicit parser(limits l = {});

    // Consumes bytes from the front of `in` (advancing it) until a frame completes, the input runs
    // out, or an error is found.
    status feed(std::string_view& in);

    // The completed frame; resets for the next one. Only valid after status::done.
    value take();

    errc error() const { return error_; }
    // True while a frame has started but not finished (useful to tell EOF from truncation).
    bool mid_frame() const { return started_; }
    void reset();

private:
    enum class state
    {
        line,
        bulk,
        bulk_end
    };
    struct open_array
    {
        value v;
        std::size_t expected = 0;
    };

    status fail(errc e);
    status on_line();
    // Attaches a finished value to its parent; returns true when it completed the whole frame.
    bool complete(value v);

    limits limits_;
    state state_ = state::line;
    std::string line_;              // current header line (without CRLF)
    value bulk_;                    // bulk string being filled
    std::size_t bulk_need_ = 0;     // payload bytes still expected
    std::size_t bulk_end_seen_ = 0; // bytes of the trailing CRLF seen
    std::vector<open_array> stack_; // arrays still collecting elements
    std::size_t frame_bytes_ = 0;   // accounting for limits::max_frame
    value result_;
    bool started_ = false;
    errc error_ = errc::none;
};

} // namespace cpamd::resp
