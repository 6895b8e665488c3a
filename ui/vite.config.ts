/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The Go server (127.0.0.1:8000, or GATEWAY_URL) serves the API and, in production, this UI.
// In `npm run dev` the requests that the Go server owns are forwarded to it;
// the Host header is kept so the server's Origin check sees a same-origin request.
const backend = process.env.GATEWAY_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist/app",
    emptyOutDir: true,
  },
  server: {
    proxy: {
      "/api": backend,
      "/checkout.js": backend,
      "/sdk": backend,
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
});
