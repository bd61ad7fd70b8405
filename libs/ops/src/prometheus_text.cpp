#include <cmath>
#include <cpamd/ops/prometheus_text.hpp>
#include <fmt/format.h>

namespace cpamd::ops
{
namespace
{

void append_escaped(std::string& out, std::string_view s, bool quotes)
{
    for (char c : s)
    {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '"' && quotes)
            out += "\\\"";
        else
            out.push_back(c);
    }
}

void append_labels(std::string& out, std::span<const label> labels, const label* extra)
{
    if (labels.empty() && extra == nullptr)
        return;
    out.push_back('{');
    bool first = true;
    auto one = [&](const label& l)
    {
        if (!first)
            out.push_back(',');
        first = false;
        out.append(l.name);
        out += "=\"";
        append_escaped(out, l.value, true);
        out.push_back('"');
    };
    for (const auto& l : labels)
        one(l);
    if (extra)
        one(*extra);
    out.push_back('}');
}

} // namespace

std::string format_value(double v)
{
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    // Whole numbers print without an exponent, so counters stay readable.
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        return fmt::format("{}", static_cast<long long>(v));
    return fmt::format("{}", v);
}

void prometheus_text::family(std::string_view name, std::string_view type, std::string_view help)
{
    out_ += "# HELP ";
    out_.append(name);
    out_.push_back(' ');
    append_escaped(out_, help, false);
    out_ += "\n# TYPE ";
    out_.append(name);
    out_.push_back(' ');
    out_.append(type);
    out_.push_back('\n');
}

void prometheus_text::sample(std::string_view name, std::initializer_list<label> labels, double value)
{
    sample(name, std::span<const label>(labels.begin(), labels.size()), value);
}

void prometheus_text::sample(std::string_view name, std::span<const label> labels, double value)
{
    out_.append(name);
    append_labels(out_, labels, nullptr);
    out_.push_back(' ');
    out_ += format_value(value);
    out_.push_back('\n');
}

void prometheus_text::histogram(std::string_view name, std::span<const label> labels, const histogram_data& h)
{
    std::uint64_t cumulative = 0;
    const std::string bucket = std::string(name) + "_bucket";
    for (std::size_t i = 0; i <= h.bounds.size(); ++i)
    {
        cumulative += i < h.counts.size() ? h.counts[i] : 0;
        const std::string le = i < h.bounds.size() ? format_value(h.bounds[i]) : "+Inf";
        const label extra{"le", le};
        out_ += bucket;
        append_labels(out_, labels, &extra);
        out_ += fmt::format(" {}\n", cumulative);
    }
    out_.append(name);
    out_ += "_sum";
    append_labels(out_, labels, nullptr);
    out_ += " " + format_value(h.sum) + "\n";
    out_.append(name);
    out_ += "_count";
    append_labels(out_, labels, nullptr);
    out_ += fmt::format(" {}\n", cumulative);
}

} // namespace cpamd::ops
