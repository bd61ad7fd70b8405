#include "import_export.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/serialize.hpp>
#include <cpamd/api/usage_import.hpp>
#include <cpamd/api/usage_routes.hpp>
#include <cpamd/core/config.hpp>
#include <cpamd/store/event_reader.hpp>
#include <cpamd/store/store.hpp>
#include <cpamd/usage/export_codec.hpp>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <unistd.h>

namespace cpamd::app
{
namespace
{

// A one-line bar on stderr, redrawn when the percentage changes; silent when stderr is not a tty.
class progress_bar
{
public:
    explicit progress_bar(std::string label)
        : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1)
    {
    }
    ~progress_bar() { done(); }

    void update(std::uint64_t done, std::uint64_t total)
    {
        if (!enabled_ || total == 0)
            return;
        int pct = static_cast<int>(done * 100 / total);
        if (pct == last_)
            return;
        last_ = pct;
        int fill = pct * 30 / 100;
        fmt::print(
            stderr, "\r{:<10} [{}{}] {:3}%", label_, std::string(fill, '#'), std::string(30 - fill, '.'), pct
        );
        std::fflush(stderr);
    }
    void done()
    {
        if (enabled_ && last_ >= 0)
            fmt::print(stderr, "\n");
        last_ = -1;
    }

private:
    std::string label_;
    bool enabled_;
    int last_ = -1;
};

std::unique_ptr<store::store> open_offline(const config& cfg, const std::string& command)
{
    std::string why;
    auto db = store::store::open(cfg.db_path, 1, why);
    if (!db)
        fmt::print(
            stderr,
            "cpamd {}: {}\n(is the daemon running? stop it first, or use the HTTP API: "
            "/v0/management/usage/{})\n",
            command,
            why,
            command
        );
    return db;
}

} // namespace

int run_import(const invocation& inv)
{
    if (inv.args.size() != 1 || inv.args[0].starts_with("-"))
    {
        fmt::print(stderr, "cpamd import: expected exactly one FILE (see cpamd import --help)\n");
        return 2;
    }
    std::filesystem::path file = inv.args[0];
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
    {
        fmt::print(stderr, "cpamd import: {} is not a readable file\n", file.string());
        return 2;
    }
    auto loaded = load_config_or_report(inv);
    if (!loaded)
        return 2;
    const config* cfg = &loaded->value;
    auto db = open_offline(*cfg, "import");
    if (!db)
        return 1;
    auto opts = usage::parse_options{usage::now_utc()};
    try
    {
        api::import_report checked;
        {
            progress_bar bar("checking");
            checked = api::validate_import_file(
                file, opts, [&bar](std::uint64_t d, std::uint64_t t) { bar.update(d, t); }
            );
        }
        if (checked.status != 200)
        {
            fmt::print(stderr, "cpamd import: {}\nnothing was imported\n", checked.error);
            return 1;
        }
        progress_bar bar("importing");
        boost::asio::io_context ioc;
        auto fut = boost::asio::co_spawn(
            ioc,
            api::insert_import_file(
                db->writer(), file, opts, [&bar](std::uint64_t d, std::uint64_t t) { bar.update(d, t); }
            ),
            boost::asio::use_future
        );
        ioc.run();
        auto rep = fut.get();
        bar.done();
        fmt::print("{}\n", boost::json::serialize(rep.to_json()));
        if (rep.status != 200)
        {
            fmt::print(stderr, "cpamd import: {} (run the same import again to finish it)\n", rep.error);
            return 1;
        }
        return 0;
    }
    catch (const std::exception& e)
    {
        fmt::print(stderr, "cpamd import: {}\n", e.what());
        return 1;
    }
}

int run_export(const invocation& inv)
{
    std::optional<std::filesystem::path> out_path;
    store::time_range range;
    for (std::size_t i = 0; i < inv.args.size(); ++i)
    {
        std::string_view a = inv.args[i];
        bool has_value = i + 1 < inv.args.size();
        if (a == "--out" && has_value)
            out_path = inv.args[++i];
        else if ((a == "--from" || a == "--to") && has_value)
        {
            auto ms = api::parse_ms(inv.args[++i]);
            if (!ms)
            {
                fmt::print(stderr, "cpamd export: {} expects Unix milliseconds\n", a);
                return 2;
            }
            (a == "--from" ? range.from_ms : range.to_ms) = *ms;
        }
        else
        {
            fmt::print(stderr, "cpamd export: unexpected argument {} (see cpamd export --help)\n", a);
            return 2;
        }
    }
    auto loaded = load_config_or_report(inv);
    if (!loaded)
        return 2;
    const config* cfg = &loaded->value;
    auto db = open_offline(*cfg, "export");
    if (!db)
        return 1;
    try
    {
        // Written to a temporary file and renamed, so an interrupted export leaves no half file.
        std::filesystem::path tmp;
        std::ofstream file;
        if (out_path)
        {
            tmp = *out_path;
            tmp += ".partial";
            file.open(tmp, std::ios::binary | std::ios::trunc);
            if (!file)
            {
                fmt::print(stderr, "cpamd export: cannot write {}\n", tmp.string());
                return 1;
            }
        }
        auto lease = db->readers().acquire();
        auto& c = lease.get();
        c.exec("BEGIN");
        auto count = c.prepare("SELECT count(*) FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2");
        count.bind(1, store::range_low_ns(range)).bind(2, store::range_high_ns(range));
        std::uint64_t total = count.step() ? static_cast<std::uint64_t>(count.int64(0)) : 0;
        std::uint64_t rows = 0;
        {
            progress_bar bar("exporting");
            store::event_cursor cursor(c, store::event_order::oldest_first, 0, range);
            store::stored_event row;
            std::string piece;
            auto flush = [&]
            {
                if (out_path)
                    file.write(piece.data(), static_cast<std::streamsize>(piece.size()));
                else
                    std::fwrite(piece.data(), 1, piece.size(), stdout);
                piece.clear();
            };
            while (cursor.next(row))
            {
                usage::append_export_line(piece, row.ev);
                if (piece.size() >= (1 << 16))
                    flush();
                bar.update(++rows, total);
            }
            flush();
        }
        c.exec("COMMIT");
        if (out_path)
        {
            file.close();
            if (!file)
            {
                fmt::print(stderr, "cpamd export: cannot write {}\n", tmp.string());
                return 1;
            }
            std::filesystem::rename(tmp, *out_path);
            fmt::print(stderr, "exported {} events to {}\n", rows, out_path->string());
        }
        else
            std::fflush(stdout);
        return 0;
    }
    catch (const std::exception& e)
    {
        fmt::print(stderr, "cpamd export: {}\n", e.what());
        return 1;
    }
}

} // namespace cpamd::app
