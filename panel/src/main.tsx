// Boot: theme and language first (no flash), then the app.
import { render } from "preact";
import "./styles.css";
import "./lib/theme";
import { App } from "./App";
import { loadInfo } from "./lib/app-state";

void loadInfo();
render(<App />, document.getElementById("app")!);
