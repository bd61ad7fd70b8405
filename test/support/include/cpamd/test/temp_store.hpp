#pragma once

// A real store (lock, writer, readers) in a fresh temporary directory, with a synchronous write
// for tests. Header-only: the test target links cpamd::store itself.

#include <cpamd/store/store.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <cpamd/usage/event.hpp>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cpamd::test
{

struct temp_store
{
    temp_dir dir;
    std::unique_ptr<store::store> db;

    temp_store()
    {
        std::string why;
        db = store::store::open(dir / "usage.sqlite", 1, why);
        if (!db)
            throw std::runtime_error("cannot open the test store: " + why);
    }

    // Writes and waits for the commit; throws if the transaction failed.
    void write(std::vector<usage::event> evs)
    {
        std::optional<std::string> error;
        db->writer().submit(std::move(evs), {}, [&error](store::write_result r) { error = r.error; });
        db->writer().drain();
        if (error)
            throw std::runtime_error("write failed: " + *error);
    }
};

} // namespace cpamd::test
