// libFuzzer entry point for the usage record parser and the import formats. Also linked into a
// plain g++ replay test (test/unit/usage) so the same checks run without clang.
//
// Properties: no crash or sanitizer report on any input; a record that parses is inside the
// accepted ranges (time, counters: usage/limits.hpp) and survives the export round trip as the
// same event (every field) with the same hash; the streaming array reader gives the same items
// and outcome however its input is cut into chunks.

#include <cpamd/usage/export_codec.hpp>
#include <cpamd/usage/import_formats.hpp>
#include <cpamd/usage/limits.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace
{

struct array_outcome
{
    std::vector<std::pair<std::size_t, bool>> items; // position, parsed
    bool ok = false;
    bool operator==(const array_outcome&) const = default;
};

// Feeds `input` to a json_array_reader in pieces cut at `cuts` (ascending offsets).
array_outcome read_array(std::string_view input, const std::vector<std::size_t>& cuts)
{
    using namespace cpamd::usage;
    parse_options opts;
    opts.now = utc_time{1787356800, 0};
    array_outcome out;
    auto collect = [&](import_item&& item)
    { out.items.emplace_back(item.position, item.record.has_value()); };
    json_array_reader reader(opts, 4096);
    std::size_t from = 0;
    for (auto cut : cuts)
    {
        reader.feed(input.substr(from, cut - from), collect);
        from = cut;
    }
    reader.feed(input.substr(from), collect);
    out.ok = reader.finish(collect).has_value();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace cpamd::usage;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    parse_options opts;
    opts.now = utc_time{1787356800, 0}; // fixed clock: the round trip must be deterministic

    if (auto ev = parse_record(input, opts))
    {
        if (!in_event_range_ms(ev->timestamp_ms) || check_limits(*ev))
            std::abort();
        auto line = export_line(*ev);
        auto back = parse_record(std::string_view(line.data(), line.size() - 1), opts);
        if (!back || !(*back == *ev))
            std::abort();
    }

    if (!input.empty())
    {
        const auto whole = read_array(input, {});
        const std::size_t cut = data[0] % size;
        std::vector<std::size_t> bytewise;
        for (std::size_t i = 1; i < std::min<std::size_t>(size, 64); ++i)
            bytewise.push_back(i);
        if (!(read_array(input, {cut}) == whole) || !(read_array(input, bytewise) == whole))
            std::abort();
    }

    std::size_t items = 0;
    (void)parse_import_payload(
        input,
        opts,
        [&](import_item&& item)
        {
            ++items;
            (void)item;
        }
    );
    return 0;
}
