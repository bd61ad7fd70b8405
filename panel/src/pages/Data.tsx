// Export (a JSONL download) and import (a chunked, resumable upload with its report).
import { StoreCard } from "./data/StoreCard";
import { ExportCard } from "./data/ExportCard";
import { ImportCard } from "./data/ImportCard";

export function DataPage() {
  return (
    <div class="page" data-testid="page-data">
      <div class="grid grid-2">
        <ExportCard />
        <ImportCard />
      </div>
      <StoreCard />
    </div>
  );
}
