// Built with -DCPAMD_PANEL=OFF: no panel inside, /management.html shows the placeholder page.
#include "panel_asset.hpp"

namespace cpamd::api
{

const built_in_panel* find_built_in_panel()
{
    return nullptr;
}

} // namespace cpamd::api
