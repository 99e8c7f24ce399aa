/// The web map at `/`: MapLibre GL JS (installed at set-up time by tools/install-web.sh, served from /vendor)
/// drawing the demo city's layers from CityGeo's own vector tiles, with layer switches, a geocode search box with
/// autocomplete (/v1/geocode, /v1/autocomplete) and a click that shows the attributes of the features under the
/// pointer and the reverse-geocoded address of the point (/v1/reverse).
///
/// An analysis panel draws service coverage (blind spots of `/v1/analysis/coverage`) and hot spots (Gi* hexagons,
/// road sections, kernel density from `/v1/analysis/...`) over the tiles.
///
/// Test hooks for the headless-browser check (tools/web/check-map.sh): `?q=…` searches on load, `?click=lon,lat`
/// reverse-geocodes on load, `?analysis=coverage|gistar|sections|density` runs that analysis on load, and `#status`
/// holds a JSON summary (tiles loaded, last search, last reverse, last analysis).
enum MapLibrePage {
    /// The store layers drawn, bottom to top, from one composite tile source.
    static let layers = ["district", "streets", "communities", "eval_area_types", "unit_grids", "rivers", "compounds", "roads", "sample_points", "pois", "components"]

    static let html = """
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8"><title>CityGeo map</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="stylesheet" href="/vendor/maplibre-gl.css">
        <script src="/vendor/maplibre-gl.js"></script>
        <style>
        body{margin:0;font:14px system-ui,sans-serif;display:flex;height:100vh}
        #side{width:300px;padding:10px;overflow:auto;border-right:1px solid #ccc;background:#fafafa;box-sizing:border-box}
        #map{flex:1}
        #q{width:100%;box-sizing:border-box;padding:6px;font-size:14px}
        #results div{padding:4px;border-bottom:1px solid #eee;cursor:pointer}#results div:hover{background:#eef}
        #info{white-space:pre-wrap;font-size:12px;background:#fff;border:1px solid #ddd;padding:6px;margin-top:8px;max-height:40vh;overflow:auto}
        label{display:block;margin:2px 0}#status{display:none}
        #analysis input{width:100%;box-sizing:border-box;margin:1px 0}#analysis button{margin:2px 2px 2px 0}
        </style></head><body>
        <div id="side"><h3>CityGeo 大丰区</h3>
        <form id="search"><input id="q" list="suggestions" placeholder="地址、小区、兴趣点 e.g. 人民北路14号" autocomplete="off">
        <datalist id="suggestions"></datalist></form>
        <div id="results"></div>
        <div id="layers"></div>
        <details id="analysis"><summary>分析 Analysis</summary>
        <small>Facilities (point layer, filter) and radius m</small>
        <input id="facilities" value="pois"><input id="facilityFilter" value="category=公共厕所"><input id="radius" value="300">
        <small>Targets</small><input id="targets" value="unit_grids">
        <button id="runCoverage">服务覆盖 coverage</button>
        <small>Cases (point layer)</small><input id="cases" value="cases">
        <button id="runGistar">Gi* 热点</button><button id="runSections">高发地段</button><button id="runDensity">密度 density</button>
        <button id="clearAnalysis">clear</button>
        </details>
        <div id="info">Click the map: the features under the pointer and the address of the point.</div>
        <p><a href="/tiles/catalog">tiles</a> · <a href="/v1/layers">layers</a> · <a href="/preview">canvas preview</a></p>
        <pre id="status">{}</pre></div>
        <div id="map"></div>
        <script>
        const layerNames=[\(layers.map { "'\($0)'" }.joined(separator: ","))];
        const colours={district:'#333',streets:'#c0392b',communities:'#2980b9',eval_area_types:'#8e44ad',unit_grids:'#7f8c8d',
          rivers:'#3498db',compounds:'#27ae60',roads:'#e67e22',sample_points:'#d35400',pois:'#16a085',components:'#7d3c98'};
        const cityStatus={tilesLoaded:0,tileErrors:0,search:null,reverse:null,ready:false};
        function report(){document.getElementById('status').textContent=JSON.stringify(cityStatus);}
        const style={version:8,sources:{city:{type:'vector',url:'/tiles/'+layerNames.join(',')+'.json'}},
          layers:[{id:'background',type:'background',paint:{'background-color':'#f4f3ef'}}]};
        for(const n of layerNames){
          const c=colours[n];
          if(['district','streets','communities','eval_area_types','unit_grids','compounds'].includes(n)){
            if(n!=='district'&&n!=='streets')style.layers.push({id:n+'-fill',type:'fill',source:'city','source-layer':n,
              paint:{'fill-color':c,'fill-opacity':n==='compounds'?0.35:0.08},minzoom:n==='unit_grids'?13:0});
            style.layers.push({id:n+'-line',type:'line',source:'city','source-layer':n,paint:{'line-color':c,
              'line-width':n==='district'?2.5:n==='streets'?1.8:n==='unit_grids'?0.5:1},minzoom:n==='unit_grids'?13:0});
          }else if(n==='rivers'||n==='roads'){
            style.layers.push({id:n+'-line',type:'line',source:'city','source-layer':n,paint:{'line-color':c,'line-width':n==='roads'?2:1.5}});
          }else{
            style.layers.push({id:n+'-circle',type:'circle',source:'city','source-layer':n,minzoom:n==='components'?16:13,
              paint:{'circle-color':c,'circle-radius':n==='components'?3:4,'circle-stroke-color':'#fff','circle-stroke-width':1}});
          }
        }
        let map;
        try{map=new maplibregl.Map({container:'map',style,center:[120.47,33.20],zoom:12,hash:true});}
        catch(e){cityStatus.mapError=String(e&&e.message||e);report();throw e;}
        map.addControl(new maplibregl.NavigationControl());
        map.on('data',e=>{if(e.dataType==='source'&&e.tile){cityStatus.tilesLoaded++;report();}});
        map.on('error',e=>{cityStatus.tileErrors++;cityStatus.lastError=String(e.error&&e.error.message||e.error);report();});
        map.on('idle',()=>{cityStatus.ready=true;report();});
        const side=document.getElementById('layers');
        for(const n of layerNames){
          const lab=document.createElement('label'),cb=document.createElement('input');cb.type='checkbox';cb.checked=true;
          cb.onchange=()=>{for(const l of style.layers)if(l['source-layer']===n)map.setLayoutProperty(l.id,'visibility',cb.checked?'visible':'none');};
          lab.append(cb,' '+n);side.append(lab);
        }
        const info=document.getElementById('info');
        let marker=null;
        function place(lonlat,html){
          if(marker)marker.remove();
          marker=new maplibregl.Marker().setLngLat(lonlat).setPopup(new maplibregl.Popup().setHTML(html)).addTo(map);marker.togglePopup();
        }
        function esc(s){return String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
        async function search(q){
          const r=await fetch('/v1/geocode?limit=5&q='+encodeURIComponent(q));const j=await r.json();
          const list=document.getElementById('results');list.innerHTML='';
          if(!r.ok){list.textContent=j.message;cityStatus.search={error:j.code};report();return;}
          if(!j.features.length){list.textContent='没有结果 no match';cityStatus.search={count:0};report();return;}
          j.features.forEach((f,i)=>{const d=document.createElement('div');const p=f.properties;
            d.innerHTML=esc(p.label)+'<br><small>'+esc(p.match_type)+' · '+p.confidence+'</small>';
            d.onclick=()=>show(f);list.append(d);if(i===0)show(f);});
          const p=j.features[0].properties;cityStatus.search={count:j.features.length,label:p.label,match_type:p.match_type,confidence:p.confidence};report();
        }
        function show(f){
          if(!f.geometry)return;const c=f.geometry.coordinates;map.flyTo({center:c,zoom:17});
          place(c,'<b>'+esc(f.properties.label)+'</b><br>'+esc(f.properties.match_type)+' '+f.properties.confidence+
            '<br>'+Object.entries(f.properties.codes||{}).map(([k,v])=>esc(k)+' '+esc(v)).join('<br>'));
        }
        document.getElementById('search').onsubmit=e=>{e.preventDefault();search(document.getElementById('q').value);};
        let pending=null;
        document.getElementById('q').oninput=e=>{clearTimeout(pending);const v=e.target.value;if(!v)return;
          pending=setTimeout(async()=>{const r=await fetch('/v1/autocomplete?limit=8&q='+encodeURIComponent(v));if(!r.ok)return;
            const j=await r.json();const dl=document.getElementById('suggestions');dl.innerHTML='';
            for(const f of j.features){const o=document.createElement('option');o.value=f.properties.text;o.label=f.properties.label;dl.append(o);}},150);};
        async function reverse(lngLat,features){
          const r=await fetch('/v1/reverse?lon='+lngLat.lng+'&lat='+lngLat.lat);const j=await r.json();
          const address=r.ok?j.features[0].properties.address:j.message;
          cityStatus.reverse={address,ok:r.ok};report();
          const attrs=features.map(f=>'['+f.sourceLayer+']\\n'+Object.entries(f.properties).map(([k,v])=>k+': '+v).join('\\n')).join('\\n\\n');
          info.textContent=address+'\\n\\n'+attrs;
          place([lngLat.lng,lngLat.lat],'<b>'+esc(address)+'</b>'+(features.length?'<br><small>'+esc(features[0].sourceLayer)+'</small>':''));
        }
        map.on('click',e=>reverse(e.lngLat,map.queryRenderedFeatures(e.point)));
        // Analysis layers: one GeoJSON source each, drawn over the tiles.
        const analysisLayers={
          coverage:{type:'fill',paint:{'fill-color':'#e74c3c','fill-opacity':0.45,'fill-outline-color':'#c0392b'}},
          gistar:{type:'fill',paint:{'fill-opacity':0.55,'fill-color':['match',['get','gi_bin'],3,'#b2182b',2,'#ef8a62',1,'#fddbc7',-1,'#d1e5f0',-2,'#67a9cf',-3,'#2166ac','rgba(0,0,0,0)']}},
          sections:{type:'line',paint:{'line-color':'#8e0152','line-width':['interpolate',['linear'],['get','count'],1,2,20,10]}},
          density:{type:'fill',paint:{'fill-opacity':0.6,'fill-color':'#fd8d3c'}},
        };
        function drawAnalysis(name,data){
          const id='analysis-'+name;
          if(map.getSource(id))map.getSource(id).setData(data);
          else{map.addSource(id,{type:'geojson',data});map.addLayer({id,source:id,...analysisLayers[name]});}
        }
        function val(id){return document.getElementById(id).value;}
        async function analysis(name){
          const view=map.getBounds(),bbox=[view.getWest(),view.getSouth(),view.getEast(),view.getNorth()].join(',');
          const cases='layer='+encodeURIComponent(val('cases'));
          const requests={
            coverage:()=>fetch('/v1/analysis/coverage',{method:'POST',body:JSON.stringify({facilities:val('facilities'),
              facility_filter:val('facilityFilter')||null,targets:val('targets'),radius_m:Number(val('radius')),blind_spots:true,level:'street'})}),
            gistar:()=>fetch('/v1/analysis/gistar?'+cases+'&units=hexagons&cell_m=300&distance_m=600'),
            sections:()=>fetch('/v1/analysis/hotspots/roads?'+cases+'&section_m=200&limit=500'),
            density:()=>fetch('/v1/analysis/density?'+cases+'&format=geojson&cell_m=100&bandwidth_m=300&bbox='+bbox),
          };
          const r=await requests[name]();const j=await r.json();
          if(!r.ok){info.textContent=name+': '+j.message;cityStatus.analysis={name,error:j.code};report();return;}
          const data=name==='coverage'?j.blind_spots:j;
          drawAnalysis(name,data);
          // Density colours run from nothing to the answer's own peak (cases per km² vary by orders between cities).
          if(name==='density'&&j.max>0)map.setPaintProperty('analysis-density','fill-color',['interpolate',['linear'],['get','density'],
            0,'rgba(255,255,178,0)',j.max*0.1,'#fecc5c',j.max*0.3,'#fd8d3c',j.max*0.6,'#f03b20',j.max,'#bd0026']);
          info.textContent=name==='coverage'?'覆盖率 covered '+(j.share*100).toFixed(1)+' % of '+j.targets+' targets; blind spots drawn in red\\n\\n'+
            j.regions.map(x=>(x.code||'—')+'  '+(x.share*100).toFixed(1)+' %').join('\\n'):name+': '+(j.count??j.features.length)+' features';
          cityStatus.analysis={name,features:data.features.length,share:j.share};report();
        }
        for(const name of ['Coverage','Gistar','Sections','Density'])document.getElementById('run'+name).onclick=()=>analysis(name.toLowerCase());
        document.getElementById('clearAnalysis').onclick=()=>{for(const name in analysisLayers){const id='analysis-'+name;
          if(map.getLayer(id))map.removeLayer(id);if(map.getSource(id))map.removeSource(id);}};
        const params=new URLSearchParams(location.search);
        // The search and reverse hooks need the API, not the rendered map.
        if(params.get('q'))search(params.get('q'));
        if(params.get('click')){const [lng,lat]=params.get('click').split(',').map(Number);reverse({lng,lat},[]);}
        if(params.get('analysis'))map.once('load',()=>analysis(params.get('analysis')));
        report();
        </script></body></html>
        """
}
