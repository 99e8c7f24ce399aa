// DemoCity: the demo-city generator.
