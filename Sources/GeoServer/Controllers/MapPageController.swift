import Foundation
import Hummingbird

/// `/`: the MapLibre map over CityGeo's vector tiles when MapLibre GL JS is installed (tools/install-web.sh puts
/// it in `web/vendor/`), else the dependency-free canvas preview, which is always at `/preview`.
/// `/vendor/maplibre-gl.js|css` serves the installed files; nothing else is read from disk. A client asking for
/// JSON at `/` (an `Accept` ranking a JSON type first, or `f=json`) gets the OGC API landing page instead.
struct MapPageController {
    /// The vendor files, read once at start (a megabyte; serving from memory keeps the handler off the disk).
    let assets: [String: [UInt8]]

    /// The OGC API landing page, the answer of `/` to a client asking for JSON (GDAL, QGIS and OWSLib pointed at
    /// the server's root).
    let landingPage: @Sendable (Request, CityRequestContext) async throws -> Response

    /// Serves the MapLibre GL JS files found in `vendorDirectory` (where tools/install-web.sh put them), if any.
    init(vendorDirectory: URL?, landingPage: @escaping @Sendable (Request, CityRequestContext) async throws -> Response) {
        self.landingPage = landingPage
        var assets: [String: [UInt8]] = [:]
        for name in Self.vendorFiles.keys {
            if let directory = vendorDirectory, let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) {
                assets[name] = [UInt8](data)
            }
        }
        self.assets = assets
    }

    static let vendorFiles: [String: String] = ["maplibre-gl.js": "text/javascript; charset=utf-8", "maplibre-gl.css": "text/css; charset=utf-8"]

    func register(on router: Router<CityRequestContext>) {
        router.get("/", use: mapPage)
        router.get("/preview", use: previewPage)
        router.get("/vendor/:file", use: vendorAsset)
    }

    /// `GET /`.
    @Sendable func mapPage(_ request: Request, context: CityRequestContext) async throws -> Response {
        let asksJSON = request.uri.queryParameters["f"] != nil || request.headers[.accept]?.contains("json") == true
        if asksJSON, try OGCDocuments.format(of: request) == .json {
            return try await landingPage(request, context)
        }
        let page = assets["maplibre-gl.js"] != nil ? MapLibrePage.html : MapPage.html
        return JSONResponse.bytes(Array(page.utf8), contentType: "text/html; charset=utf-8")
    }

    /// `GET /preview`.
    @Sendable func previewPage(_ request: Request, context: CityRequestContext) async throws -> Response {
        JSONResponse.bytes(Array(MapPage.html.utf8), contentType: "text/html; charset=utf-8")
    }

    /// `GET /vendor/:file`.
    @Sendable func vendorAsset(_ request: Request, context: CityRequestContext) async throws -> Response {
        let file = try context.parameters.require("file")
        guard let bytes = assets[file], let type = Self.vendorFiles[file] else {
            throw APIError(code: .notFound,
                message: "no asset \(file); MapLibre GL JS is installed by tools/install-web.sh", details: ["field": "file"])
        }
        var response = JSONResponse.bytes(bytes, contentType: type)
        response.headers[.cacheControl] = "public, max-age=86400"
        return response
    }
}

enum MapPage {
    static let html = """
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8"><title>CityGeo</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{margin:0;font:14px system-ui,sans-serif;display:flex;height:100vh}
        #side{width:280px;padding:10px;overflow:auto;border-right:1px solid #ccc;background:#fafafa}
        #map{flex:1;position:relative}canvas{width:100%;height:100%;display:block;cursor:grab}
        #info{white-space:pre-wrap;font-size:12px;background:#fff;border:1px solid #ddd;padding:6px;margin-top:8px}
        label{display:block;margin:2px 0}
        </style></head><body>
        <div id="side"><h3>CityGeo 大丰区 demo</h3>
        <div id="layers">loading layers…</div>
        <div id="info">Click a feature to see its attributes. Drag to pan, wheel to zoom.</div>
        <p><a href="/v1/layers">/v1/layers</a> · <a href="/health">/health</a></p></div>
        <div id="map"><canvas id="c"></canvas></div>
        <script>
        const colours={district:'#444',streets:'#c0392b',communities:'#2980b9',unit_grids:'#95a5a6',eval_area_types:'#8e44ad',
          rivers:'#3498db',roads:'#e67e22',compounds:'#27ae60',sample_points:'#d35400',door_plates:'#7f8c8d',pois:'#16a085',buildings:'#2c3e50'};
        const initiallyOn=new Set(['district','streets','communities','roads','rivers']);
        const canvas=document.getElementById('c'),ctx=canvas.getContext('2d');
        let view={cx:120.55,cy:33.23,scale:900};const data={};const on=new Set();let dragging=null;
        function size(){canvas.width=canvas.clientWidth;canvas.height=canvas.clientHeight;draw();}
        function px(c){return[(c[0]-view.cx)*view.scale*Math.cos(view.cy*Math.PI/180)+canvas.width/2,(view.cy-c[1])*view.scale+canvas.height/2];}
        function lonlat(x,y){return[(x-canvas.width/2)/(view.scale*Math.cos(view.cy*Math.PI/180))+view.cx,view.cy-(y-canvas.height/2)/view.scale];}
        function path(rings){ctx.beginPath();for(const r of rings){r.forEach((c,i)=>{const p=px(c);i?ctx.lineTo(p[0],p[1]):ctx.moveTo(p[0],p[1]);});}}
        function drawGeom(g,col){if(!g)return;const t=g.type,k=g.coordinates;ctx.strokeStyle=col;ctx.fillStyle=col;
          if(t==='Point'){const p=px(k);ctx.fillRect(p[0]-2,p[1]-2,4,4);}
          else if(t==='LineString'){path([k]);ctx.stroke();}
          else if(t==='MultiLineString'){path(k);ctx.stroke();}
          else if(t==='Polygon'){path(k);ctx.stroke();}
          else if(t==='MultiPolygon'){for(const p of k){path(p);ctx.stroke();}}}
        function draw(){ctx.clearRect(0,0,canvas.width,canvas.height);ctx.lineWidth=1;
          for(const name of Object.keys(colours)){if(on.has(name)&&data[name])for(const f of data[name].features)drawGeom(f.geometry,colours[name]);}}
        async function load(name){if(!data[name]){const r=await fetch('/v1/layers/'+name+'/features?limit=10000');data[name]=await r.json();}draw();}
        function inRing(pt,r){let c=false;for(let i=0,j=r.length-1;i<r.length;j=i++){if((r[i][1]>pt[1])!==(r[j][1]>pt[1])&&pt[0]<(r[j][0]-r[i][0])*(pt[1]-r[i][1])/(r[j][1]-r[i][1])+r[i][0])c=!c;}return c;}
        function hit(f,pt,tol){const g=f.geometry;if(!g)return false;
          if(g.type==='Polygon')return inRing(pt,g.coordinates[0]);if(g.type==='MultiPolygon')return g.coordinates.some(p=>inRing(pt,p[0]));
          if(g.type==='Point')return Math.abs(g.coordinates[0]-pt[0])<tol&&Math.abs(g.coordinates[1]-pt[1])<tol;return false;}
        canvas.onmousedown=e=>{dragging={x:e.offsetX,y:e.offsetY,cx:view.cx,cy:view.cy,moved:false};};
        canvas.onmousemove=e=>{if(!dragging)return;const dx=e.offsetX-dragging.x,dy=e.offsetY-dragging.y;if(Math.abs(dx)+Math.abs(dy)>3)dragging.moved=true;
          view.cx=dragging.cx-dx/(view.scale*Math.cos(view.cy*Math.PI/180));view.cy=dragging.cy+dy/view.scale;draw();};
        canvas.onmouseup=e=>{const d=dragging;dragging=null;if(d&&d.moved)return;const pt=lonlat(e.offsetX,e.offsetY),tol=4/view.scale;
          const found=[];for(const name of [...Object.keys(colours)].reverse()){if(!on.has(name)||!data[name])continue;const f=data[name].features.find(f=>hit(f,pt,tol));if(f)found.push(name+': '+JSON.stringify(f.properties,null,1));}
          document.getElementById('info').textContent=pt.map(v=>v.toFixed(6)).join(', ')+'\\n'+(found.join('\\n')||'nothing here');};
        canvas.onwheel=e=>{e.preventDefault();const before=lonlat(e.offsetX,e.offsetY);view.scale*=e.deltaY<0?1.25:0.8;const after=lonlat(e.offsetX,e.offsetY);
          view.cx+=before[0]-after[0];view.cy+=before[1]-after[1];draw();};
        fetch('/v1/layers').then(r=>r.json()).then(j=>{const div=document.getElementById('layers');div.innerHTML='';
          for(const l of j.layers){const lab=document.createElement('label');const cb=document.createElement('input');cb.type='checkbox';
            cb.onchange=()=>{cb.checked?(on.add(l.name),load(l.name)):(on.delete(l.name),draw());};
            lab.append(cb,' '+(l.title||l.name)+' ('+l.feature_count+')');div.append(lab);
            if(initiallyOn.has(l.name)){cb.checked=true;on.add(l.name);load(l.name);}}});
        window.onresize=size;size();
        </script></body></html>
        """
}
