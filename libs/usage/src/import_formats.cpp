#include "first_value.hpp"
#include "json_access.hpp"

#include <algorithm>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parser.hpp>
#include <cpamd/usage/event_hash.hpp>
#include <cpamd/usage/go_marshal.hpp>
#include <cpamd/usage/import_formats.hpp>
#include <cpamd/usage/redact.hpp>
#include <cpamd/usage/sha256.hpp>
#include <fmt/format.h>
#include <vector>

namespace cpamd::usage
{

namespace
{

namespace json = boost::json;
using namespace detail;

bool is_ws(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool has_summary_keys(const json::object& o) noexcept
{
    return find(o, "total_requests") || find(o, "success_count") || find(o, "failure_count");
}

std::vector<const json::key_value_pair*> sorted_entries(const json::object& o)
{
    std::vector<const json::key_value_pair*> v;
    v.reserve(o.size());
    for (const auto& kv : o)
        v.push_back(&kv);
    std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
    return v;
}

// One legacy detail -> event (manager-api §5.8).
boost::system::result<event> legacy_event(
    const json::value& detail_value,
    std::size_t e_rank,
    std::size_t m_rank,
    std::size_t d_index,
    std::string_view endpoint_key,
    std::string_view model_key,
    const parse_options& opts
)
{
    const auto* detail = detail_value.if_object();
    if (detail == nullptr)
        return errc::detail_not_object;
    if (find_any(*detail, {"timestamp", "time", "created_at", "createdAt"}) == nullptr)
        return errc::detail_no_timestamp;
    auto r = parse_raw_record(*detail, opts);
    if (!r)
        return r;
    event ev = std::move(*r);

    std::string_view endpoint = trim(endpoint_key);
    ev.endpoint = endpoint.empty() ? "-" : std::string(endpoint);
    std::string_view method, path;
    if (split_endpoint(endpoint, method, path))
    {
        ev.method = method;
        ev.path = path;
    }
    else
    {
        ev.method.clear();
        ev.path.clear();
    }
    std::string_view requested = first_string(*detail, {"requested_model", "requestedModel", "alias"});
    ev.requested_model = requested;
    ev.model = !requested.empty() ? std::string(requested) : std::string(model_key);
    if (ev.model.empty())
        ev.model = "-";
    if (first_string(*detail, {"resolved_model", "resolvedModel", "model", "model_name", "modelName"})
            .empty())
        ev.resolved_model = model_key;

    std::string_view id = first_string(*detail, {"request_id", "requestId", "id"});
    ev.request_id =
        !id.empty()
            ? std::string(id)
            : legacy_request_id(e_rank, m_rank, d_index, endpoint_key, model_key, ev.timestamp, *detail);

    hash_fields f = hash_fields_of(ev);
    f.model = model_key; // upstream hashes legacy details under the model key
    ev.event_hash = event_hash(f);
    return ev;
}

} // namespace

std::string describe_position(const import_item& item)
{
    switch (item.kind)
    {
    case position_kind::line:
        return fmt::format("line {}", item.position);
    case position_kind::index:
        return fmt::format("item {}", item.position);
    case position_kind::detail:
        return fmt::format(
            "endpoint {}, model {}, detail {}", item.endpoint_rank, item.model_rank, item.position
        );
    }
    return fmt::format("item {}", item.position);
}

std::string_view to_string(import_format f) noexcept
{
    switch (f)
    {
    case import_format::usage_service_jsonl:
        return "usage_service_jsonl";
    case import_format::legacy_usage_export:
        return "legacy_usage_export";
    case import_format::legacy_usage_payload:
        return "legacy_usage_payload";
    }
    return "usage_service_jsonl";
}

jsonl_reader::jsonl_reader(parse_options opts, std::size_t max_line_bytes, std::size_t first_line_number)
    : opts_(opts), max_line_bytes_(max_line_bytes), line_(first_line_number)
{
}

void jsonl_reader::emit(std::string_view line, const item_callback& on_item)
{
    line = trim(line);
    if (line.empty())
        return; // blank lines are skipped (but counted)
    on_item(import_item{line_, 0, 0, parse_record(line, opts_)});
}

void jsonl_reader::feed(std::string_view chunk, const item_callback& on_item)
{
    while (!chunk.empty())
    {
        std::size_t nl = chunk.find('\n');
        std::string_view piece = chunk.substr(0, nl); // whole chunk if no newline
        if (!overflow_ && partial_.size() + piece.size() > max_line_bytes_)
        {
            overflow_ = true;
            std::string().swap(partial_);
        }
        if (nl == std::string_view::npos)
        {
            if (!overflow_)
                partial_.append(piece);
            return;
        }
        if (overflow_)
        {
            on_item(import_item{line_, 0, 0, errc::line_too_long});
            overflow_ = false;
        }
        else if (partial_.empty())
            emit(piece, on_item); // the common case: no copy
        else
        {
            partial_.append(piece);
            emit(partial_, on_item);
            partial_.clear();
        }
        ++line_;
        chunk.remove_prefix(nl + 1);
    }
}

void jsonl_reader::finish(const item_callback& on_item)
{
    if (overflow_)
        on_item(import_item{line_, 0, 0, errc::line_too_long});
    else if (!partial_.empty())
        emit(partial_, on_item);
    overflow_ = false;
    partial_.clear();
}

namespace
{

// One array element on its own. Its depth limit is one less than Boost.JSON's default, which is
// what the element had inside the array when arrays were parsed whole.
boost::system::result<event> parse_array_element(std::string_view text, const parse_options& opts)
{
    unsigned char buf[16 * 1024];
    json::monotonic_resource mr(buf, sizeof buf);
    json::parse_options limits;
    limits.max_depth = json::parse_options().max_depth - 1;
    boost::system::error_code ec;
    json::value v = json::parse(text, ec, &mr, limits);
    if (ec)
        return ec;
    return parse_record(v, opts);
}

} // namespace

json_array_reader::json_array_reader(parse_options opts, std::size_t max_element_bytes)
    : opts_(opts), max_element_bytes_(max_element_bytes)
{
}

void json_array_reader::fail(boost::system::error_code ec, std::size_t at)
{
    state_ = state::failed;
    error_ = ec;
    error_offset_ = at;
    std::string().swap(partial_);
}

void json_array_reader::feed(std::string_view chunk, const item_callback& on_item)
{
    std::size_t i = 0;
    while (i < chunk.size() && state_ != state::failed)
    {
        char c = chunk[i];
        switch (state_)
        {
        case state::before_array:
            if (c == '[')
                state_ = state::before_value;
            else if (!is_ws(c))
                fail(errc::not_an_array, offset_ + i);
            ++i;
            break;
        case state::before_value:
            if (c == ']' && empty_so_far_)
                state_ = state::after_array;
            else if (c == ',' || c == ']')
                fail(json::error::syntax, offset_ + i);
            else if (!is_ws(c))
            {
                state_ = state::in_value;
                empty_so_far_ = false;
                scalar_ = c != '{' && c != '[' && c != '"';
                depth_ = 0;
                in_string_ = escaped_ = too_long_ = false;
                partial_.clear();
                i = scan(chunk, i, on_item);
                break;
            }
            ++i;
            break;
        case state::in_value:
            i = scan(chunk, i, on_item);
            break;
        case state::after_value:
            if (c == ',')
                state_ = state::before_value;
            else if (c == ']')
                state_ = state::after_array;
            else if (!is_ws(c))
                fail(json::error::syntax, offset_ + i);
            ++i;
            break;
        case state::after_array:
            if (!is_ws(c))
                fail(json::error::syntax, offset_ + i);
            ++i;
            break;
        case state::failed:
            break;
        }
    }
    offset_ += chunk.size();
}

// Scans the element from chunk[i]; returns where scanning stopped (after the element, or the end
// of the chunk with the bytes kept in partial_).
std::size_t json_array_reader::scan(std::string_view chunk, std::size_t i, const item_callback& on_item)
{
    const std::size_t start = i;
    for (; i < chunk.size(); ++i)
    {
        char c = chunk[i];
        if (scalar_)
        {
            if (is_ws(c) || c == ',' || c == ']')
            {
                end_value(chunk.substr(start, i - start), on_item);
                return i;
            }
        }
        else if (in_string_)
        {
            if (escaped_)
                escaped_ = false;
            else if (c == '\\')
                escaped_ = true;
            else if (c == '"')
            {
                in_string_ = false;
                if (depth_ == 0)
                {
                    end_value(chunk.substr(start, i + 1 - start), on_item);
                    return i + 1;
                }
            }
        }
        else if (c == '"')
            in_string_ = true;
        else if (c == '{' || c == '[')
            ++depth_;
        else if ((c == '}' || c == ']') && --depth_ == 0)
        {
            end_value(chunk.substr(start, i + 1 - start), on_item);
            return i + 1;
        }
    }
    std::string_view rest = chunk.substr(start);
    if (!too_long_ && partial_.size() + rest.size() > max_element_bytes_)
    {
        too_long_ = true;
        std::string().swap(partial_);
    }
    if (!too_long_)
        partial_.append(rest);
    return i;
}

void json_array_reader::end_value(std::string_view tail, const item_callback& on_item)
{
    state_ = state::after_value;
    std::size_t index = index_++;
    constexpr auto kind = position_kind::index;
    if (too_long_ || partial_.size() + tail.size() > max_element_bytes_)
        on_item(import_item{index, 0, 0, errc::item_too_long, kind});
    else if (partial_.empty())
        on_item(import_item{index, 0, 0, parse_array_element(tail, opts_), kind}); // the common case: no copy
    else
    {
        partial_.append(tail);
        on_item(import_item{index, 0, 0, parse_array_element(partial_, opts_), kind});
    }
    partial_.clear();
}

boost::system::result<void> json_array_reader::finish(const item_callback&)
{
    switch (state_)
    {
    case state::after_array:
        return {};
    case state::failed:
        return error_;
    case state::before_array:
        fail(errc::not_an_array, offset_);
        return error_;
    default:
        fail(json::error::incomplete, offset_);
        return error_;
    }
}

std::optional<import_format> legacy_format_of(const json::object& root) noexcept
{
    if (const auto* usage = find_object(root, "usage"))
        if (find(*usage, "apis") != nullptr || has_summary_keys(*usage))
            return import_format::legacy_usage_export;
    if (const auto* apis = find(root, "apis"); apis != nullptr && !apis->is_null())
        return import_format::legacy_usage_payload;
    if (has_summary_keys(root))
        return import_format::legacy_usage_payload;
    return std::nullopt;
}

std::string legacy_request_id(
    std::size_t endpoint_rank,
    std::size_t model_rank,
    std::size_t detail_index,
    std::string_view endpoint,
    std::string_view model_key,
    std::string_view normalized_timestamp,
    const json::object& detail
)
{
    json::object raw;
    json::value redacted_detail(detail);
    redact_json_keys(redacted_detail);
    raw["detail"] = std::move(redacted_detail);
    raw["endpoint"] = endpoint;
    raw["format"] = "legacy_usage_export";
    raw["model"] = model_key;
    std::string input = fmt::format(
        "legacy|{}|{}|{}|{}|{}|{}|{}",
        endpoint_rank,
        model_rank,
        detail_index,
        endpoint,
        model_key,
        normalized_timestamp,
        go_marshal_sorted(raw)
    );
    return "legacy:" + sha256_hex(input).substr(0, 16);
}

boost::system::result<import_summary> parse_legacy_snapshot(
    const json::object& root, import_format format, const parse_options& opts, const item_callback& on_item
)
{
    import_summary sum;
    sum.format = format;
    const json::object* holder = &root;
    if (format == import_format::legacy_usage_export)
        holder = find_object(root, "usage");
    const json::object* apis = holder != nullptr ? find_object(*holder, "apis") : nullptr;
    if (apis == nullptr || apis->empty())
        return errc::no_request_details;

    std::size_t usable = 0;
    auto endpoints = sorted_entries(*apis);
    for (std::size_t e = 0; e < endpoints.size(); ++e)
    {
        const auto* ep = endpoints[e]->value().if_object();
        const json::object* models = ep != nullptr ? find_object(*ep, "models") : nullptr;
        if (models == nullptr)
        {
            ++sum.failed;
            continue;
        }
        auto model_entries = sorted_entries(*models);
        for (std::size_t m = 0; m < model_entries.size(); ++m)
        {
            const auto* model = model_entries[m]->value().if_object();
            if (model == nullptr)
            {
                ++sum.failed;
                continue;
            }
            const auto* details_v = find(*model, "details");
            const auto* details = details_v != nullptr ? details_v->if_array() : nullptr;
            if (details == nullptr || details->empty())
            {
                ++sum.unsupported;
                continue;
            }
            for (std::size_t d = 0; d < details->size(); ++d)
            {
                import_item item{
                    d,
                    e + 1,
                    m + 1,
                    legacy_event(
                        (*details)[d], e + 1, m + 1, d, endpoints[e]->key(), model_entries[m]->key(), opts
                    ),
                    position_kind::detail};
                ++sum.items;
                if (item.record)
                    ++usable;
                else
                    ++sum.failed;
                on_item(std::move(item));
            }
        }
    }
    if (usable == 0)
        return errc::no_request_details;
    return sum;
}

boost::system::result<import_summary> parse_import_payload(
    std::string_view body, const parse_options& opts, const item_callback& on_item, std::size_t max_line_bytes
)
{
    // A UTF-8 byte order mark is not content.
    if (body.starts_with("\xEF\xBB\xBF"))
        body.remove_prefix(3);
    std::size_t start = 0;
    std::size_t line = 1;
    while (start < body.size() && is_ws(body[start]))
        line += body[start++] == '\n';
    if (start == body.size())
        return errc::empty_payload;

    import_summary sum;
    auto counting = [&](import_item&& item)
    {
        ++sum.items;
        if (!item.record)
            ++sum.failed;
        on_item(std::move(item));
    };

    if (body[start] == '[')
    {
        json_array_reader reader(opts, max_line_bytes);
        reader.feed(body.substr(start), counting);
        if (auto done = reader.finish(counting); !done)
            return done.error();
        return sum;
    }

    std::size_t rest = start; // where JSONL parsing starts
    if (body[start] == '{')
    {
        // Measured first, without a DOM: only a possible snapshot is worth building whole.
        auto first = scan_first_value(body.substr(start));
        std::optional<boost::system::result<event>> record;
        if (first.complete && first.maybe_legacy)
        {
            json::monotonic_resource mr;
            json::parser p(&mr);
            boost::system::error_code ec;
            p.write_some(body.substr(start, first.consumed), ec);
            if (ec)
                record = ec; // not expected: the scan read the same bytes
            else
            {
                json::value v = p.release();
                const auto& o = v.as_object(); // the body starts with '{'
                if (auto fmt = legacy_format_of(o))
                {
                    for (std::size_t i = start + first.consumed; i < body.size(); ++i)
                        if (!is_ws(body[i]))
                            return errc::multiple_values;
                    return parse_legacy_snapshot(o, *fmt, opts, on_item);
                }
                if (first.size <= max_line_bytes)
                    record = parse_record(o, opts);
            }
        }
        else if (first.complete && first.size <= max_line_bytes)
            record = parse_record(body.substr(start, first.size), opts);
        if (first.complete)
        {
            // A record, held to the line limit like the lines after it.
            counting(import_item{line, 0, 0, record ? std::move(*record) : errc::line_too_long});
            for (std::size_t i = start; i < start + first.consumed; ++i)
                line += body[i] == '\n';
            rest = start + first.consumed;
        }
        // else: not a complete first value; the JSONL pass reports it on its line.
    }

    jsonl_reader reader(opts, max_line_bytes, rest == start ? 1 : line);
    reader.feed(rest == start ? body : body.substr(rest), counting);
    reader.finish(counting);
    return sum;
}

} // namespace cpamd::usage
