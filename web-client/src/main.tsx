// Entry point: mounts the app into #app.
import { render } from 'preact';
import { PingPage } from './views/Ping';
import './style.css';

render(<PingPage />, document.getElementById('app')!);
