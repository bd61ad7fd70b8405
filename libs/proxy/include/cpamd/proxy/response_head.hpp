#pragma once

// CPA's answer as the relay reads it. The head is kept flat, each field as the line
// "Name: value\r\n" it goes out as, in one string, where Beast's parser<> would allocate a node
// per field in a list and a tree (the largest user-space cost of a proxied request after the
// parse itself). The body is handed out piece by piece into the caller's buffer, as
// beast::http::buffer_body does.

#include <boost/beast/http/basic_parser.hpp>
#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cpamd::proxy
{

class response_head
{
public:
    struct field_view
    {
        boost::beast::http::field code; // field::unknown for a name Beast does not know
        std::string_view name;          // as received
        std::string_view value;
        std::string_view line; // "name: value\r\n"
    };

    unsigned status() const { return status_; }
    unsigned version() const { return version_; }
    std::string_view reason() const { return reason_; }

    std::size_t size() const { return fields_.size(); }
    // The i-th field as received. Lines lie one after another: field(i + 1).line starts where
    // field(i).line ends.
    field_view field(std::size_t i) const;
    // The first `code` field's value, "" when there is none (`code` must be a known field).
    std::string_view value(boost::beast::http::field code) const;

    void set_status_line(unsigned status, std::string_view reason, unsigned version);
    void add_field(boost::beast::http::field code, std::string_view name, std::string_view value);

private:
    struct entry
    {
        boost::beast::http::field code;
        std::uint32_t at; // where its line starts in text_
        std::uint32_t name_size;
        std::uint32_t value_size;
    };
    unsigned status_ = 0;
    unsigned version_ = 11;
    std::string reason_;
    std::string text_;
    boost::container::small_vector<entry, 16> fields_;
};

// Parses one response into a response_head; the body goes to the buffer given by body_to().
class response_head_parser : public boost::beast::http::basic_parser<false>
{
public:
    response_head_parser() = default;

    const response_head& head() const { return head_; }

    // Where the next body bytes go. A parse stops with error::need_buffer when it is full.
    void body_to(char* data, std::size_t size)
    {
        body_data_ = data;
        body_room_ = size;
    }
    // Room left in that buffer.
    std::size_t body_room() const { return body_room_; }

private:
    using error_code = boost::system::error_code;
    using string_view = boost::beast::string_view;

    void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code& ec) override;
    void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
    void on_field_impl(boost::beast::http::field code, string_view name, string_view value, error_code& ec)
        override;
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
    std::size_t on_body_impl(string_view body, error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override
    {
        return on_body_impl(body, ec);
    }
    void on_finish_impl(error_code&) override {}

    response_head head_;
    char* body_data_ = nullptr;
    std::size_t body_room_ = 0;
};

} // namespace cpamd::proxy
