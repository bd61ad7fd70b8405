#pragma once

// Realistic CPA usage records (spec cpa-usage-queue §1 templates, varied) and the /usage totals
// computed from them directly, by the spec's rules, without any cpamd code.

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace cpamd::test
{

// `count` JSONL lines, deterministic for a seed; timestamps are distinct per line.
std::string make_records(int count, unsigned seed = 1);

struct expected_usage
{
    std::int64_t total_requests = 0;
    std::int64_t success_count = 0;
    std::int64_t failure_count = 0;
    std::int64_t total_tokens = 0;
    std::map<std::pair<std::string, std::string>, std::int64_t> details; // (endpoint, model key) -> count
};

// Totals and groups over the newest `window` records of a JSONL text.
expected_usage expected_from_jsonl(const std::string& jsonl, std::size_t window = 50000);

} // namespace cpamd::test
