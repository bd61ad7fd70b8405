#pragma once

// The price object of manager-api §5.10 on the wire: reading it (with the PUT's validation) and
// writing it (GET, sync answers). Prices are USD per 1,000,000 tokens.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cpamd/pricing/price_record.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace cpamd::pricing
{

// A validation failure: the HTTP 400 body's code and message.
struct price_error
{
    std::string code; // e.g. "prices_required", "request_failed"
    std::string message;
};

// One price object -> record, validated as §5.10 says (rates finite and >= 0; context tier
// thresholds > 0, unique, each with at least one flag; service tiers with a mode and a tier,
// lower-cased, at least one flag, no shared identifier). `model_id` names the entry in messages
// and must not be empty. updated_at_ms is set to `now_ms`; source fields are kept as sent.
std::variant<price_record, price_error>
price_record_from_json(std::string_view model_id, const boost::json::value& v, std::int64_t now_ms);

// The object of `{"prices":{...}}` -> records (empty object: none). Null or missing -> the
// error "prices_required".
std::variant<price_records, price_error>
price_records_from_json(const boost::json::value* prices, std::int64_t now_ms);

// Record -> price object, with Go's omitempty rules of the upstream's struct.
boost::json::object price_record_to_json(const price_record& r);

// {"<model>": <price>, ...}
boost::json::object price_records_to_json(const price_records& records);

} // namespace cpamd::pricing
