<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>Composer</name>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="181" />
        <source>Type a message…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="205" />
        <source>Attach</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="206" />
        <location filename="../../chatdesk/ui/composer.py" line="424" />
        <source>Attach images</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="266" />
        <source>{0} is larger than 20 MB and was not attached.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="309" />
        <source>Wait for the reply to finish, or press Esc to stop it.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="313" />
        <source>Type a message or attach an image first.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="364" />
        <source>The pasted image could not be read.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="379" />
        <source>{0} is not an image.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="383" />
        <source>{0} is larger than 20 MB.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="388" />
        <source>{0} could not be read.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="391" />
        <source>{0} is not an image this app can read.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="426" />
        <source>Images (*.png *.jpg *.jpeg *.gif *.webp *.bmp)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="434" />
        <source>Stop</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="435" />
        <source>Stop the reply (Esc)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="437" />
        <source>Send</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="438" />
        <source>Enter</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="438" />
        <source>Ctrl+Enter</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="439" />
        <source>Send ({0})</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>Controller</name>
    <message>
        <location filename="../../chatdesk/controller.py" line="148" />
        <source>Server: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="198" />
        <source>Models from the server</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="199" />
        <source>Cached model list (server unreachable)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="200" />
        <source>Built-in model list (server unreachable)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="229" />
        <source>Wait for the answer to finish or stop it first.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="406" />
        <location filename="../../chatdesk/controller.py" line="410" />
        <source>Not sent: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="409" />
        <source>Request not valid</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="571" />
        <source>Edit and resend</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="571" />
        <source>Message:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="622" />
        <source>Tool result</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="623" />
        <source>Result for %1:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="740" />
        <source>The key is used for this session only.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="802" />
        <source>Save preset</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/controller.py" line="802" />
        <source>Preset name:</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="446" />
        <source>Filter conversations</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="454" />
        <source>New chat</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="473" />
        <source>Conversation deleted</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="474" />
        <source>Undo</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="602" />
        <source>Rename</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="605" />
        <source>Unpin</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="605" />
        <source>Pin</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="608" />
        <source>Delete</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="177" />
        <source>New chat</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="228" />
        <source>Pinned</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="229" />
        <source>Today</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="230" />
        <source>Yesterday</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="231" />
        <source>Previous 7 days</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/convlist.py" line="232" />
        <source>Older</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>KeyPanel</name>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="49" />
        <source>Welcome to ChatDesk</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="56" />
        <source>To start chatting, enter the address of your OpenAI-compatible server and your API key. The key is kept in your system keyring, never in a file.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="67" />
        <source>sk-...</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="70" />
        <location filename="../../chatdesk/ui/keypanel.py" line="144" />
        <source>Show</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="77" />
        <source>Base URL:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="78" />
        <source>API key:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="80" />
        <source>Test connection</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="81" />
        <source>Save</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="101" />
        <source>Use this key for this session only</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="104" />
        <source>The key stays in memory until ChatDesk quits and is not saved anywhere.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="144" />
        <source>Hide</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="155" />
        <source>The base URL must start with http:// or https://, e.g. {example}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="163" />
        <source>Paste your API key first.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/keypanel.py" line="173" />
        <source>Testing the connection…</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="95" />
        <source>Chat</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="99" />
        <source>Model</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="104" />
        <source>Temperature</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="108" />
        <location filename="../../chatdesk/ui/mainwindow.py" line="136" />
        <source>Parameters</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="114" />
        <source>Presets</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="130" />
        <source>Settings</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="140" />
        <source>System prompt</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="142" />
        <source>You are a helpful assistant.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="156" />
        <source>New chat</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="179" />
        <source>Save current as preset…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/mainwindow.py" line="184" />
        <source>New chat: %1</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>MessageView</name>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="89" />
        <location filename="../../chatdesk/ui/messageview.py" line="1186" />
        <source>Copy</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="419" />
        <source>You</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="420" />
        <source>Assistant</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="421" />
        <source>System</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="422" />
        <source>Tool</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="577" />
        <source>Message</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1080" />
        <source>Thinking</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1102" />
        <source>Reply with result</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1122" />
        <source>image</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1136" />
        <source>Continue</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1138" />
        <source>Waiting…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1143" />
        <source>Hide details</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1145" />
        <source>Details</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1147" />
        <source>Retry</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1155" />
        <source>Stopped</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1157" />
        <source>Interrupted</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1165" />
        <source>The answer reached the length limit.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1173" />
        <source>The answer was filtered by the provider.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1188" />
        <source>Regenerate</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1190" />
        <source>Edit</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1191" />
        <source>Delete</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1399" />
        <source>Rate limited: the server asks you to wait before retrying.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1403" />
        <source>Rate limited: retry in {n} s</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1406" />
        <source>Rate limited: you can retry now.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1408" />
        <source>The API key was rejected. Check the key for this provider.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1411" />
        <source>The account has no credit left. Top up the balance with your provider.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1414" />
        <source>The server does not know this model. Check the model name and base URL.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1417" />
        <source>The server had an internal error. Try again in a moment.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1420" />
        <source>Could not reach the server (network down, timeout or connection dropped).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1424" />
        <source>The server sent a reply this client cannot read. Check the base URL.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1427" />
        <source>The provider's content filter blocked the request or the answer.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1430" />
        <source>The server refused the request as invalid.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1433" />
        <source>This key is not allowed to use this model or endpoint.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1437" />
        <source>The request failed.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1448" />
        <source>{i} in / {o} out tokens</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1454" />
        <source>first token {ms} ms</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/messageview.py" line="1462" />
        <source>{r} tok/s</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <location filename="../../chatdesk/ui/modelpicker.py" line="115" />
        <source>Model id</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelpicker.py" line="142" />
        <source>Other</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelpicker.py" line="259" />
        <source>Model: {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelpicker.py" line="261" />
        <source>List: {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/modelpicker.py" line="262" />
        <source>Type to search; press Enter to use any model id.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ParamsPanel</name>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="253" />
        <source>Temperature</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="262" />
        <source>Top p</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="263" />
        <source>Nucleus sampling, 0 to 1. Use this or temperature.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="274" />
        <source>Max tokens</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="275" />
        <source>Cap on the length of the reply, in tokens.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="284" />
        <source>Replies (n)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="285" />
        <source>How many candidate replies to generate (1 to 16).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="297" />
        <source>One per line, up to 4. Write \n for a newline.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="310" />
        <source>Stop sequences</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="311" />
        <source>The reply ends before any of these texts (up to 4).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="318" />
        <source>Presence penalty</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="319" />
        <source>-2 to 2. Positive values favour new topics.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="325" />
        <source>Frequency penalty</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="326" />
        <source>-2 to 2. Positive values reduce repetition.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="330" />
        <source>JSON output</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="332" />
        <source>Ask for a JSON object reply. Mention JSON in your prompt too.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="340" />
        <source>any whole number</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="344" />
        <source>Seed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="345" />
        <source>Best-effort determinism: the same seed tends to give the same reply.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="350" />
        <source>end-user id</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="354" />
        <source>User id</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="355" />
        <source>An end-user id the server may use for abuse monitoring.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="366" />
        <source>[{"type": "function", "function": {"name": ..., "parameters": {...}}}]</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="375" />
        <source>Insert example</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="383" />
        <source>Tools</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="384" />
        <source>Function tools the model may call, as a JSON array.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="393" />
        <source>Sent only when tools are set.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="399" />
        <source>Tool choice</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="400" />
        <source>auto: model decides; none: never; required: must call; or one function.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="405" />
        <source>View code</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="406" />
        <source>Show this request as cURL, Python or Node code</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="408" />
        <source>Reset all</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="409" />
        <source>Unset every parameter (server defaults)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="584" />
        <location filename="../../chatdesk/ui/params.py" line="681" />
        <source>No tools.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="621" />
        <source>Tools JSON is invalid; changes are not applied.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="645" />
        <source>At most 4 stop sequences are allowed.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="683" />
        <source>Valid: no tools (an empty list is not sent).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="685" />
        <source>Valid: 1 tool</source>
        <translation type="unfinished" />
    </message>
    <message numerus="yes">
        <location filename="../../chatdesk/ui/params.py" line="687" />
        <source>Valid: %n tools</source>
        <translation type="unfinished">
            <numerusform />
        </translation>
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="699" />
        <source>Line {line}, column {col}: {msg}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="703" />
        <source>Tools must be a JSON array [...] of tool objects.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="707" />
        <source>Tool {i}: must be an object.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="709" />
        <source>Tool {i}: "type" must be "function".</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="712" />
        <source>Tool {i}: "function" must be an object.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="715" />
        <source>Tool {i}: "function.name" is missing.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="718" />
        <source>Tool {i}: name "{name}" may use only letters, digits, _ and - (max 64).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="721" />
        <source>Tool {i}: duplicate name "{name}".</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="725" />
        <source>Tool {i}: "function.parameters" must be a JSON Schema object.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="741" />
        <source>auto (model decides)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="742" />
        <source>none (never call tools)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="743" />
        <source>required (must call a tool)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="751" />
        <source>function: {name}</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="119" />
        <source>Settings</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="125" />
        <source>Providers</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="126" />
        <source>Appearance</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="127" />
        <source>Network</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="128" />
        <source>Title model</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="153" />
        <source>Add</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="154" />
        <source>Edit</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="155" />
        <source>Remove</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="166" />
        <location filename="../../chatdesk/ui/settings.py" line="278" />
        <source>Provider</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="168" />
        <source>e.g. Zero API</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="173" />
        <source>e.g. gpt-4o (optional)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="175" />
        <source>Name:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="176" />
        <source>Base URL:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="177" />
        <source>API key:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="178" />
        <source>Default model:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="184" />
        <source>Test connection</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="185" />
        <source>Save provider</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="186" />
        <source>Cancel</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="201" />
        <source>Connection test results appear here.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="226" />
        <source>(no key)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="252" />
        <source>Edit provider</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="252" />
        <source>New provider</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="260" />
        <source>Stored key kept; type a new one to replace it</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="262" />
        <source>Paste your API key (sk-...)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="296" />
        <source>Remove the provider "{name}" and its stored API key?</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="297" />
        <source>Remove provider</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="319" />
        <source>The base URL must start with http:// or https://, e.g. {example}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="330" />
        <source>Enter a name for this provider.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="334" />
        <source>A provider named "{name}" already exists.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="364" />
        <source>Testing the connection…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="379" />
        <source>✔ Connection works</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="382" />
        <source>✖ Connection failed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="392" />
        <source>Light</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="393" />
        <source>Dark</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="394" />
        <source>Follow system</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="397" />
        <source> pt</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="402" />
        <source>Language changes take effect after a restart.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="405" />
        <source>Enter sends, Shift+Enter for a new line</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="406" />
        <source>Ctrl+Enter sends, Enter for a new line</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="408" />
        <source>Theme:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="409" />
        <source>Font size:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="410" />
        <source>Language:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="412" />
        <source>Send with:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="418" />
        <source>Use the system proxy</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="419" />
        <source>No proxy</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="420" />
        <source>Custom proxy URL</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="427" />
        <location filename="../../chatdesk/ui/settings.py" line="432" />
        <source> s</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="428" />
        <source>How long to wait for the server to answer</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="434" />
        <source>Give up on a reply when no data arrives for this long</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="437" />
        <source>Proxy:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="438" />
        <source>Proxy URL:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="439" />
        <source>Connect timeout:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="440" />
        <source>Stream idle timeout:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="452" />
        <source>Empty: use the first words of the message</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="455" />
        <source>New conversations are titled by this model. Leave empty to skip the request.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="461" />
        <source>Title model:</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="514" />
        <source>The proxy URL must look like http://host:port or socks5://host:port.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>TemperatureControl</name>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="138" />
        <source>Temperature: lower is more focused, higher more varied (0 to 2).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="144" />
        <source>default</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="145" />
        <source>Temperature (0 to 2). "default" leaves it to the server.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="147" />
        <source>Reset</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/params.py" line="148" />
        <source>Unset the temperature (use the server default)</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ViewCodeDialog</name>
    <message>
        <location filename="../../chatdesk/ui/codedialog.py" line="48" />
        <source>View code</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/codedialog.py" line="61" />
        <location filename="../../chatdesk/ui/codedialog.py" line="97" />
        <source>Copy</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/codedialog.py" line="62" />
        <source>Copy this snippet to the clipboard</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/codedialog.py" line="75" />
        <source>The API key is masked: paste your own key or set OPENAI_API_KEY.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/codedialog.py" line="77" />
        <source>Set the OPENAI_API_KEY environment variable before running.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/codedialog.py" line="96" />
        <source>Copied</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>_KeyField</name>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="77" />
        <location filename="../../chatdesk/ui/settings.py" line="89" />
        <source>Show</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="79" />
        <source>Show or hide the key you are typing</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../chatdesk/ui/settings.py" line="89" />
        <source>Hide</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>_Thumbnail</name>
    <message>
        <location filename="../../chatdesk/ui/composer.py" line="156" />
        <source>Remove {0}</source>
        <translation type="unfinished" />
    </message>
</context>
</TS>