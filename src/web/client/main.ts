// The web UI's entry: the theme switch on every page, then the page's own code.
import { byId } from "./dom.ts";
import { startDashboard } from "./dashboard.ts";
import { startEdit } from "./edit.ts";
import { startServerPage } from "./server.ts";
import { startTokens } from "./tokens.ts";
import { startActivity } from "./activity.ts";
import { startTools } from "./tools.ts";
import { startSearch } from "./search.ts";

type Theme = "system" | "light" | "dark";
const NEXT: Record<Theme, Theme> = { system: "light", light: "dark", dark: "system" };

function setUpThemeToggle(): void {
  const button = byId<HTMLButtonElement>("theme-toggle");
  const show = (theme: Theme) => {
    button.textContent = `Theme: ${theme}`;
    button.setAttribute("aria-label", `Colour theme: ${theme}. Change it`);
  };
  let theme: Theme = (document.documentElement.dataset.theme as Theme | undefined) ?? "system";
  show(theme);
  button.addEventListener("click", () => {
    theme = NEXT[theme];
    if (theme === "system") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    try {
      if (theme === "system") localStorage.removeItem("theme");
      else localStorage.setItem("theme", theme);
    } catch {
      // Not stored (storage blocked): the choice lasts for this page only.
    }
    show(theme);
  });
}

const PAGES: Record<string, () => void> = { dashboard: startDashboard, edit: startEdit, server: startServerPage, tools: startTools, search: startSearch, tokens: startTokens, activity: startActivity };

setUpThemeToggle();
PAGES[document.body.dataset.page ?? ""]?.();
