#include "ledger.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <fmt/format.h>
#include <stdexcept>

namespace cpamd::sim
{

ledger::ledger(const std::string& path)
{
    if (path.empty())
        return;
    file_ = std::fopen(path.c_str(), "ae");
    if (!file_)
        throw std::runtime_error("cannot open ledger " + path);
}

ledger::~ledger()
{
    if (file_)
        std::fclose(file_);
}

void ledger::write_line(const std::string& line)
{
    // One fwrite per line plus a flush: a reader tailing the file never sees half a line.
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
}

void ledger::produced(std::uint64_t seq, std::string_view record, std::string_view origin)
{
    if (!file_)
        return;
    std::string rec = boost::json::serialize(boost::json::string(record));
    write_line(fmt::format(
        "{{\"seq\":{},\"event\":\"produced\",\"origin\":\"{}\",\"record\":{}}}\n", seq, origin, rec
    ));
}

void ledger::queued(std::uint64_t seq)
{
    if (file_)
        write_line(fmt::format("{{\"seq\":{},\"event\":\"queued\"}}\n", seq));
}

void ledger::delivered(std::uint64_t seq, std::string_view via, std::uint64_t subscriber)
{
    if (!file_)
        return;
    if (subscriber != 0)
        write_line(fmt::format(
            "{{\"seq\":{},\"event\":\"delivered\",\"via\":\"{}\",\"subscriber\":{}}}\n", seq, via, subscriber
        ));
    else
        write_line(fmt::format("{{\"seq\":{},\"event\":\"delivered\",\"via\":\"{}\"}}\n", seq, via));
}

void ledger::expired(std::uint64_t seq)
{
    if (file_)
        write_line(fmt::format("{{\"seq\":{},\"event\":\"expired\"}}\n", seq));
}

void ledger::lost(std::uint64_t seq, std::string_view reason, std::uint64_t subscriber)
{
    if (!file_)
        return;
    if (subscriber != 0)
        write_line(fmt::format(
            "{{\"seq\":{},\"event\":\"lost\",\"reason\":\"{}\",\"subscriber\":{}}}\n", seq, reason, subscriber
        ));
    else
        write_line(fmt::format("{{\"seq\":{},\"event\":\"lost\",\"reason\":\"{}\"}}\n", seq, reason));
}

void ledger::discarded(std::uint64_t seq, std::string_view reason)
{
    if (file_)
        write_line(fmt::format("{{\"seq\":{},\"event\":\"discarded\",\"reason\":\"{}\"}}\n", seq, reason));
}

} // namespace cpamd::sim
