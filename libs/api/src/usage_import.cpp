#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <cpamd/api/usage_import.hpp>
#include <fmt/format.h>
#include <fstream>
#include <system_error>
#include <utility>

namespace cpamd::api
{
namespace
{

constexpr std::size_t file_chunk = 256 * 1024;

bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && is_ws(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_ws(s.back()))
        s.remove_suffix(1);
    return s;
}

std::optional<std::vector<std::string>> warnings_for(usage::import_format f)
{
    if (f == usage::import_format::usage_service_jsonl)
        return std::nullopt;
    return std::vector<std::string>(
        usage::legacy_import_warnings.begin(), usage::legacy_import_warnings.end()
    );
}

// Reads a file in fixed-size pieces; the caller reports progress once it has used each piece.
// Pull-style so a coroutine can await between pieces.
class chunk_reader
{
public:
    chunk_reader(const std::filesystem::path& file, const import_progress& progress)
        : path_(file), in_(file, std::ios::binary), buf_(file_chunk, '\0'), progress_(progress)
    {
        if (!in_)
            throw std::system_error(errno, std::generic_category(), "open " + file.string());
        std::error_code ec;
        total_ = std::filesystem::file_size(file, ec);
        size_known_ = !ec;
    }

    // The next piece; empty at the end of the file. Throws on a read error.
    std::string_view next()
    {
        if (!in_)
            return {};
        in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
        auto n = static_cast<std::size_t>(in_.gcount());
        if (in_.bad())
            throw std::system_error(EIO, std::generic_category(), "read " + path_.string());
        done_ += n;
        return {buf_.data(), n};
    }

    void report_progress() const
    {
        if (progress_)
            progress_(done_, size_known_ ? total_ : done_);
    }

private:
    std::filesystem::path path_;
    std::ifstream in_;
    std::string buf_;
    const import_progress& progress_;
    std::uint64_t done_ = 0;
    std::uint64_t total_ = 0;
    bool size_known_ = false;
};

// One writer transaction; false (and rep marked 500) when it failed.
boost::asio::awaitable<bool>
write_batch(store::event_writer& writer, std::vector<usage::event> evs, import_report* rep)
{
    auto r = co_await writer.async_write(std::move(evs), {}, boost::asio::use_awaitable);
    rep->added += r.counts.inserted;
    rep->skipped += r.counts.duplicates;
    if (r.error)
    {
        rep->status = 500;
        rep->code = "request_failed";
        rep->error = *r.error;
        co_return false;
    }
    co_return true;
}

} // namespace

boost::json::object import_report::to_json() const
{
    boost::json::object o;
    boost::json::value w = nullptr;
    if (warnings)
    {
        boost::json::array a;
        for (const auto& s : *warnings)
            a.emplace_back(s);
        w = std::move(a);
    }
    if (status == 200)
    {
        o["format"] = format;
        o["added"] = added;
        o["skipped"] = skipped;
        o["total"] = total;
        o["failed"] = failed;
        o["unsupported"] = unsupported;
        o["warnings"] = std::move(w);
    }
    else
    {
        o["error"] = error;
        o["code"] = code;
        o["format"] = format;
        o["failed"] = failed;
        o["unsupported"] = unsupported;
        o["warnings"] = std::move(w);
    }
    return o;
}

import_scanner::import_scanner(usage::parse_options opts) : opts_(opts) {}

void import_scanner::count(usage::import_item&& item, const usage::item_callback& on_item)
{
    ++sum_.items;
    if (!item.record)
        ++sum_.failed;
    on_item(std::move(item));
}

void import_scanner::start_jsonl(const usage::item_callback& on_item)
{
    mode_ = mode::jsonl;
    jsonl_.emplace(opts_);
    auto counting = [&](usage::import_item&& item) { count(std::move(item), on_item); };
    std::string body = std::move(pending_);
    pending_.clear();
    std::string_view v = body;
    if (v.starts_with("\xEF\xBB\xBF"))
        v.remove_prefix(3);
    jsonl_->feed(v, counting);
}

void import_scanner::start_array(std::size_t start, const usage::item_callback& on_item)
{
    mode_ = mode::array;
    array_.emplace(opts_);
    array_start_ = start;
    auto counting = [&](usage::import_item&& item) { count(std::move(item), on_item); };
    std::string body = std::move(pending_);
    pending_.clear();
    array_->feed(std::string_view(body).substr(start), counting);
}

// Decides the format from the first bytes: '[' -> array; '{' whose first line is a whole record
// object -> JSONL; '{' otherwise (a snapshot, or a value spread over lines) -> buffered; else JSONL.
void import_scanner::decide(bool at_end, const usage::item_callback& on_item)
{
    std::string_view body = pending_;
    if (body.size() < 3 && !at_end && std::string_view("\xEF\xBB\xBF").starts_with(body))
        return; // could still be a byte order mark
    std::size_t bom = body.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    body.remove_prefix(bom);
    std::size_t start = 0;
    while (start < body.size() && is_ws(body[start]))
        ++start;
    if (start == body.size())
        return; // only whitespace so far
    if (body[start] == '[')
    {
        start_array(bom, on_item);
        return;
    }
    if (body[start] != '{')
    {
        start_jsonl(on_item);
        return;
    }
    std::size_t nl = body.find('\n', start);
    if (nl == std::string_view::npos && !at_end)
    {
        if (body.size() - start > usage::default_max_line_bytes)
            mode_ = mode::buffered;
        return;
    }
    std::string_view first = trim(body.substr(start, nl == std::string_view::npos ? body.npos : nl - start));
    boost::system::error_code ec;
    auto v = boost::json::parse(first, ec);
    if (!ec && v.is_object() && !usage::legacy_format_of(v.get_object()))
        start_jsonl(on_item);
    else
        mode_ = mode::buffered;
}

void import_scanner::feed(std::string_view chunk, const usage::item_callback& on_item)
{
    auto counting = [&](usage::import_item&& item) { count(std::move(item), on_item); };
    if (mode_ == mode::jsonl)
    {
        jsonl_->feed(chunk, counting);
        return;
    }
    if (mode_ == mode::array)
    {
        array_->feed(chunk, counting);
        return;
    }
    if (too_large_)
        return;
    if (pending_.size() + chunk.size() > buffered_import_limit)
    {
        too_large_ = true;
        std::string().swap(pending_);
        return;
    }
    pending_.append(chunk);
    if (mode_ == mode::undecided)
        decide(false, on_item);
}

boost::system::result<usage::import_summary> import_scanner::finish(const usage::item_callback& on_item)
{
    if (too_large_)
        return usage::errc::line_too_long;
    if (mode_ == mode::undecided)
        decide(true, on_item);
    auto counting = [&](usage::import_item&& item) { count(std::move(item), on_item); };
    if (mode_ == mode::jsonl)
    {
        jsonl_->finish(counting);
        return sum_;
    }
    if (mode_ == mode::array)
    {
        if (auto done = array_->finish(counting); !done)
        {
            error_offset_ = array_start_ + array_->error_offset();
            return done.error();
        }
        return sum_;
    }
    // Buffered, or still undecided: only whitespace (parse_import_payload reports it empty).
    auto r = usage::parse_import_payload(pending_, opts_, on_item);
    std::string().swap(pending_);
    return r;
}

void import_validator::on_item(usage::import_item&& item)
{
    if (item.record)
        return;
    if (++failed_ > 1)
        return;
    first_code_ = item.record.error();
    first_error_ = fmt::format("{}: {}", usage::describe_position(item), usage::describe(first_code_));
}

void import_validator::feed(std::string_view chunk)
{
    scanner_.feed(chunk, [this](usage::import_item&& item) { on_item(std::move(item)); });
}

import_report import_validator::finish()
{
    import_report rep;
    auto sum = scanner_.finish([this](usage::import_item&& item) { on_item(std::move(item)); });
    if (!sum)
    {
        rep.status = 400;
        rep.code = "usage_import_invalid";
        if (sum.error() == usage::errc::line_too_long)
        {
            rep.status = 413;
            rep.code = "usage_import_too_large";
            rep.error = fmt::format(
                "usage import payload is larger than {} MiB and not JSONL or an array",
                buffered_import_limit >> 20
            );
        }
        else if (auto at = scanner_.error_offset())
            rep.error = fmt::format(
                "usage import payload is not a valid JSON array: {} at byte {}", sum.error().message(), *at
            );
        else
            rep.error = sum.error().message();
        rep.failed = failed_;
        return rep;
    }
    rep.format = std::string(usage::to_string(sum->format));
    rep.warnings = warnings_for(sum->format);
    rep.total = sum->items;
    rep.failed = sum->failed;
    rep.unsupported = sum->unsupported;
    if (sum->failed > 0)
    {
        rep.status = 400;
        rep.code = "usage_import_invalid";
        if (first_code_ == usage::errc::line_too_long || first_code_ == usage::errc::item_too_long)
        {
            rep.status = 413;
            rep.code = first_code_ == usage::errc::line_too_long ? "usage_import_line_too_long"
                                                                 : "usage_import_item_too_long";
        }
        rep.error =
            first_error_.empty()
                ? fmt::format(
                      "usage import rejected: {} malformed item(s); nothing was imported", sum->failed
                  )
                : fmt::format(
                      "usage import rejected: {} malformed item(s), first at {}; nothing was imported",
                      sum->failed,
                      first_error_
                  );
    }
    return rep;
}

import_report validate_import_file(
    const std::filesystem::path& file, const usage::parse_options& opts, const import_progress& progress
)
{
    import_validator v(opts);
    chunk_reader reader(file, progress);
    for (auto c = reader.next(); !c.empty(); c = reader.next())
    {
        v.feed(c);
        reader.report_progress();
    }
    return v.finish();
}

boost::asio::awaitable<import_report> insert_import_file(
    store::event_writer& writer,
    std::filesystem::path file,
    usage::parse_options opts,
    import_progress progress
)
{
    import_report rep;
    import_scanner scanner(opts);
    std::vector<usage::event> batch;
    auto collect = [&batch](usage::import_item&& item)
    {
        if (item.record)
            batch.push_back(std::move(*item.record));
    };
    chunk_reader reader(file, progress);
    for (auto c = reader.next(); !c.empty(); c = reader.next())
    {
        scanner.feed(c, collect);
        if (batch.size() >= import_batch_events &&
            !co_await write_batch(writer, std::exchange(batch, {}), &rep))
            co_return rep;
        reader.report_progress();
    }
    auto sum = scanner.finish(collect);
    if (!sum)
    {
        rep.status = 400; // not expected: pass 1 accepted these bytes
        rep.code = "usage_import_invalid";
        rep.error = sum.error().message();
        co_return rep;
    }
    // A buffered format hands over all its events at once: write them in batches.
    while (!batch.empty())
    {
        std::vector<usage::event> rest;
        if (batch.size() > import_batch_events)
        {
            rest.assign(
                std::make_move_iterator(batch.begin() + import_batch_events),
                std::make_move_iterator(batch.end())
            );
            batch.resize(import_batch_events);
        }
        if (!co_await write_batch(writer, std::exchange(batch, {}), &rep))
            co_return rep;
        batch = std::move(rest);
    }
    rep.format = std::string(usage::to_string(sum->format));
    rep.warnings = warnings_for(sum->format);
    rep.total = sum->items;
    rep.failed = sum->failed;
    rep.unsupported = sum->unsupported;
    co_return rep;
}

boost::asio::awaitable<import_report> import_file(
    store::event_writer& writer,
    std::filesystem::path file,
    usage::parse_options opts,
    import_progress progress
)
{
    auto checked = validate_import_file(file, opts, progress);
    if (checked.status != 200)
        co_return checked;
    co_return co_await insert_import_file(writer, std::move(file), opts, std::move(progress));
}

} // namespace cpamd::api
