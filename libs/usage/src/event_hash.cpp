#include <algorithm>
#include <cpamd/usage/event_hash.hpp>
#include <cpamd/usage/go_marshal.hpp>
#include <cpamd/usage/sha256.hpp>

namespace cpamd::usage
{

hash_fields hash_fields_of(const event& ev) noexcept
{
    hash_fields f;
    f.request_id = ev.request_id;
    f.timestamp = ev.timestamp;
    f.endpoint = ev.endpoint;
    f.model = ev.model;
    f.auth_index = ev.auth_index;
    f.source_hash = ev.source_hash;
    f.input = ev.tokens.input;
    f.output = ev.tokens.output;
    f.reasoning = ev.tokens.reasoning;
    f.cached = std::max(ev.tokens.cached, ev.tokens.cache);
    f.failed = ev.failed;
    f.latency_ms = ev.latency_ms;
    // Never response_model or stream: the §6.3 input is fixed, so re-imported old exports dedup.
    return f;
}

std::string event_hash_input(const hash_fields& f)
{
    std::string s;
    append_event_hash_input(s, f);
    return s;
}

void append_event_hash_input(std::string& s, const hash_fields& f)
{
    s.reserve(
        s.size() + f.request_id.size() + f.timestamp.size() + f.endpoint.size() + f.model.size() +
        f.auth_index.size() + f.source_hash.size() + 96
    );
    s += f.request_id;
    s += '|';
    s += f.timestamp;
    s += '|';
    s += f.endpoint;
    s += '|';
    s += f.model;
    s += '|';
    s += f.auth_index;
    s += '|';
    s += f.source_hash;
    s += '|';
    append_go_int(s, f.input);
    s += '|';
    append_go_int(s, f.output);
    s += '|';
    append_go_int(s, f.reasoning);
    s += '|';
    append_go_int(s, f.cached);
    s += '|';
    s += f.failed ? "true" : "false";
    if (f.latency_ms)
    {
        s += '|';
        append_go_int(s, *f.latency_ms);
    }
}

std::string event_hash(const hash_fields& f)
{
    return sha256_hex(event_hash_input(f));
}

void set_event_hash(event& ev)
{
    std::string input = event_hash_input(hash_fields_of(ev));
    ev.event_hash = sha256_hex(input);
    auto& memo = ev.computed_hash;
    memo.input = std::move(input);
    std::copy_n(ev.event_hash.begin(), memo.hash.size(), memo.hash.begin());
}

bool hash_is_recomputable(const event& ev)
{
    const auto& memo = ev.computed_hash;
    // The store checks every event it writes: one buffer per thread instead of one allocation
    // per event (given back if an unusually long event made it big).
    constexpr std::size_t max_kept_bytes = 16 * 1024;
    thread_local std::string input;
    if (input.capacity() > max_kept_bytes)
        input = std::string();
    input.clear();
    append_event_hash_input(input, hash_fields_of(ev));
    if (!memo.input.empty() && memo.input == input)
        return std::string_view(memo.hash.data(), memo.hash.size()) == ev.event_hash;
    return sha256_hex(input) == ev.event_hash;
}

} // namespace cpamd::usage
