// The app's configuration: where the API and the sign-in are (config.json beside
// index.html: written by local-api locally and by `ops` when deployed).

let loaded = null;

/** The configuration, read once. */
export async function config() {
  if (!loaded) {
    loaded = fetch("config.json", { cache: "no-store" }).then(async (response) => {
      if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
      const value = await response.json();
      for (const key of ["apiUrl", "authUrl", "clientId", "redirectUri"]) {
        if (typeof value[key] !== "string" || value[key] === "") {
          throw new Error(`config.json has no ${key}`);
        }
      }
      return value;
    });
  }
  return loaded;
}
