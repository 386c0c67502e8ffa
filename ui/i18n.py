"""Every UI string in English and Chinese, in one table; `t(key, lang, **fmt)` looks one up."""

from __future__ import annotations

import re

from ui.safe import Md
from ui.safe import plain as safe_plain
from ui.safe import text as safe_text

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "中文"}

STRINGS: dict[str, dict[str, str]] = {
    # app and navigation
    "app_title": {"en": "Backprop Tutor", "zh": "反向传播导师"},
    "page_step": {"en": "Step through", "zh": "逐步演算"},
    "page_check": {"en": "Check my work", "zh": "检查我的演算"},
    "page_about": {"en": "About", "zh": "关于"},
    "language": {"en": "Language", "zh": "语言"},
    "present": {"en": "Presentation mode", "zh": "演示模式"},
    "present_help": {"en": "Hide the editors and the sidebar, enlarge the formula and the diagram (also ?present=1).",
                     "zh": "隐藏编辑区和侧边栏，放大公式和网络图（也可用 ?present=1）。"},
    # notices about the URL
    "bad_lang": {"en": "Unknown language '{value}' in the link; showing English.",
                 "zh": "链接里的语言“{value}”无法识别，改用英文显示。"},
    "bad_present": {"en": "'present={value}' in the link is not 1 or 0; presentation mode is off.",
                    "zh": "链接里的“present={value}”不是 1 或 0，演示模式保持关闭。"},
    "bad_precision": {"en": "'precision={value}' in the link is not one of auto, d2–d6, s3, s4, s6; showing the "
                            "preset's own precision.",
                      "zh": "链接里的“precision={value}”不是 auto、d2–d6、s3、s4、s6 之一，改用预设自带的精度。"},
    "bad_view": {"en": "'view={value}' in the link is not note or full; showing the note's own steps.",
                 "zh": "链接里的“view={value}”不是 note 或 full，改为按笔记显示。"},
    "bad_preset": {"en": "There is no preset '{value}'; showing {fallback} instead.",
                   "zh": "没有名为“{value}”的预设，改为显示 {fallback}。"},
    "bad_step": {"en": "This network has no step '{value}' (use a step id or a number from 1 to {count}); "
                       "showing step 1.",
                 "zh": "这个网络没有步骤“{value}”（请用步骤编号或 1 到 {count} 之间的序号），改为显示第 1 步。"},
    # sidebar
    "preset": {"en": "Network", "zh": "网络"},
    "preset_help": {"en": "The five lecture notes and a few more networks.", "zh": "五份讲义笔记的例子，以及其他几个网络。"},
    "display": {"en": "Display", "zh": "显示"},
    "view": {"en": "Steps", "zh": "步骤"},
    "view_note": {"en": "As in the note", "zh": "按笔记"},
    "view_full": {"en": "Full detail", "zh": "完整步骤"},
    "view_help": {"en": "As in the note: only the steps the note writes, in its order, with its symbols, and what it "
                        "printed at each step. Full detail: also the steps the tutor adds (marked “added”).",
                  "zh": "按笔记：只显示笔记写出的步骤，顺序和符号与笔记相同，并注明笔记在每一步写的数。"
                        "完整步骤：另外加上本页补充的步骤（标为“补充”）。"},
    "note_added": {"en": "added by the tutor", "zh": "本页补充"},
    "note_explain": {"en": "the note explains", "zh": "笔记的讲解"},
    "note_kind_match": {"en": "as printed", "zh": "与笔记一致"},
    "note_kind_truncated": {"en": "cut off in the note", "zh": "笔记截断"},
    "note_kind_slip": {"en": "slip in the note", "zh": "笔记算错"},
    "note_kind_typo": {"en": "typo in the note", "zh": "笔记笔误"},
    "note_source": {"en": "the note's line", "zh": "笔记原文"},
    "precision": {"en": "Numbers", "zh": "数值精度"},
    "precision_auto": {"en": "exact (up to 10 digits)", "zh": "精确（最多 10 位有效数字）"},
    "precision_decimals": {"en": "{n} decimals", "zh": "保留 {n} 位小数"},
    "precision_significant": {"en": "{n} significant digits", "zh": "{n} 位有效数字"},
    "mul": {"en": "Multiplication sign", "zh": "乘号"},
    "downloads": {"en": "Download", "zh": "下载"},
    "dl_markdown": {"en": "Worked solution (Markdown)", "zh": "完整解答（Markdown）"},
    "dl_latex": {"en": "Worked solution (LaTeX)", "zh": "完整解答（LaTeX）"},
    "dl_csv": {"en": "Every step (CSV)", "zh": "所有步骤（CSV）"},
    "dl_config": {"en": "Network config (JSON)", "zh": "网络配置（JSON）"},
    "upload": {"en": "Open a config (JSON)", "zh": "打开配置文件（JSON）"},
    "upload_ok": {"en": "Opened {name}.", "zh": "已打开 {name}。"},
    "upload_bad": {"en": "{name} was not opened: {error}", "zh": "没有打开 {name}：{error}"},
    "upload_not_text": {"en": "the file is not UTF-8 text", "zh": "文件不是 UTF-8 文本"},
    # the page header
    "edited": {"en": "edited", "zh": "已修改"},
    "uploaded": {"en": "opened from a file", "zh": "来自文件"},
    "about_example": {"en": "About this example", "zh": "关于这个例子"},
    "exercise_about": {"en": "An exercise: the network of {template} with fresh numbers (seed {seed}). The same "
                             "template and seed give the same numbers on any computer.",
                       "zh": "练习：{template} 的网络，换成了新的数（种子 {seed}）。同一个模板和种子在任何电脑上都给出同样的数。"},
    "source_note": {"en": "Reproduces the note {source}.", "zh": "对应笔记 {source}。"},
    "edited_link": {"en": "The link shares the preset and the step, not your edits: download the config to share them.",
                    "zh": "链接只记录预设和步骤，不包含你的修改；要分享修改，请下载配置文件。"},
    # the stepper
    "first": {"en": "First", "zh": "第一步"},
    "previous": {"en": "Previous", "zh": "上一步"},
    "next": {"en": "Next", "zh": "下一步"},
    "last": {"en": "Last", "zh": "最后一步"},
    "jump": {"en": "Jump to", "zh": "跳到"},
    "phase_forward": {"en": "Forward", "zh": "前向传播"},
    "phase_loss": {"en": "Error", "zh": "误差"},
    "phase_backward": {"en": "Backward", "zh": "反向传播"},
    "phase_update": {"en": "Update", "zh": "更新"},
    "phase_check": {"en": "Check", "zh": "检验"},
    "counter": {"en": "Step {n} / {total}", "zh": "第 {n} 步 / 共 {total} 步"},
    "step_id": {"en": "step id", "zh": "步骤编号"},
    "history": {"en": "Steps so far", "zh": "已完成的步骤"},
    "values": {"en": "Values so far (latest first)", "zh": "已算出的数值（最新在前）"},
    "col_n": {"en": "#", "zh": "#"},
    "col_symbol": {"en": "quantity", "zh": "量"},
    "col_phase": {"en": "phase", "zh": "阶段"},
    "col_value": {"en": "value", "zh": "数值"},
    "matrix_view": {"en": "Matrix form (layer by layer)", "zh": "矩阵形式（逐层）"},
    "diagram_help": {"en": "Click a neuron, a weight or a row of the table to jump to its step.",
                     "zh": "点击神经元、权重或表格中的一行，可跳到对应步骤。"},
    "diagram_negative": {"en": "gradient < 0 (weight grows)", "zh": "梯度 < 0（权重变大）"},
    "diagram_positive": {"en": "gradient > 0 (weight shrinks)", "zh": "梯度 > 0（权重变小）"},
    "diagram_target": {"en": "target", "zh": "目标"},
    "diagram_error": {"en": "error", "zh": "误差"},
    # the editors
    "editor": {"en": "Build or edit the network", "zh": "搭建或修改网络"},
    "reset": {"en": "Reset to preset", "zh": "恢复预设"},
    "structure": {"en": "Structure", "zh": "结构"},
    "inputs": {"en": "Inputs", "zh": "输入个数"},
    "layers": {"en": "Layers after the input", "zh": "输入之后的层数"},
    "layer_n": {"en": "Layer {n}", "zh": "第 {n} 层"},
    "layer_output": {"en": "Layer {n} (output)", "zh": "第 {n} 层（输出）"},
    "neurons": {"en": "Neurons", "zh": "神经元个数"},
    "activation": {"en": "Activation", "zh": "激活函数"},
    "bias_mode": {"en": "Bias", "zh": "偏置"},
    "bias_none": {"en": "none", "zh": "无"},
    "bias_shared": {"en": "one shared", "zh": "共用一个"},
    "bias_per_neuron": {"en": "one per neuron", "zh": "每个神经元一个"},
    "bias_col": {"en": "bias", "zh": "偏置"},
    "shared_bias": {"en": "Shared bias {symbol}", "zh": "共用偏置 {symbol}"},
    "training": {"en": "Loss and update", "zh": "损失与更新"},
    "loss": {"en": "Loss", "zh": "损失函数"},
    "reduction": {"en": "Batch", "zh": "批处理"},
    "reduction_mean": {"en": "mean over the samples", "zh": "对样本取平均"},
    "reduction_sum": {"en": "sum over the samples", "zh": "对样本求和"},
    "learning_rate": {"en": "Learning rate {symbol}", "zh": "学习率 {symbol}"},
    "round_to": {"en": "Hand rounding", "zh": "手算取整"},
    "round_none": {"en": "none (exact)", "zh": "不取整（精确）"},
    "round_n": {"en": "round every output to {n} decimals", "zh": "每个输出保留 {n} 位小数"},
    "update_order": {"en": "Update order", "zh": "更新顺序"},
    "order_after_all_gradients": {"en": "after all gradients", "zh": "先求出所有梯度再更新"},
    "order_after_each_gradient": {"en": "right after each gradient", "zh": "每求出一个梯度就更新"},
    "weights": {"en": "Weights", "zh": "权重"},
    "weights_help": {"en": "Row = the neuron the weight feeds; column = the neuron it comes from.",
                     "zh": "行：权重连到的神经元；列：权重来自的神经元。"},
    "samples": {"en": "Samples", "zh": "样本"},
    "samples_n": {"en": "Number of samples", "zh": "样本个数"},
    "samples_help": {"en": "One row per sample: its inputs, then its targets.", "zh": "每行一个样本：先是输入，再是目标值。"},
    "sample_n": {"en": "sample {n}", "zh": "样本 {n}"},
    # bad input
    "bad_input": {"en": "This edit is not used yet, so the last valid network stays on screen:",
                  "zh": "这次修改还不能使用，页面继续显示上一个有效的网络："},
    "bad_input_short": {"en": "An edit has a problem (see “Build or edit the network”); showing the last valid network.",
                        "zh": "修改有问题（见“搭建或修改网络”），当前显示的是上一个有效的网络。"},
    "err_cell_empty": {"en": "{where}: the cell is empty", "zh": "{where}：单元格是空的"},
    "err_cell_text": {"en": "{where}: '{text}' is not a number", "zh": "{where}：“{text}”不是数字"},
    "err_config": {"en": "{error}", "zh": "配置有误：{error}"},
    "where_weight": {"en": "{layer}, weight {symbol}", "zh": "{layer}，权重 {symbol}"},
    "where_bias": {"en": "{layer}, bias {symbol}", "zh": "{layer}，偏置 {symbol}"},
    "where_sample": {"en": "sample {n}, {symbol}", "zh": "样本 {n}，{symbol}"},
    "where_lr": {"en": "learning rate", "zh": "学习率"},
    # the about page
    "about_intro": {
        "en": "Backprop Tutor walks through **one iteration of gradient descent** on a small neural network, one "
              "number at a time, the way the lecture notes do it by hand: the forward pass, the error, the "
              "backward pass (the chain rule, factor by factor), the update of every weight and bias, and a "
              "second forward pass that checks the error went down. Every number on screen comes from the "
              "engine's trace; nothing is typed in by hand.",
        "zh": "反向传播导师带你在一个小型神经网络上完整走一遍**梯度下降的一次迭代**，一次一个数，和讲义里手算的方式"
              "一样：前向传播、误差、反向传播（链式法则，一个因子一个因子地乘）、更新每个权重和偏置，最后再做一次"
              "前向传播，验证误差确实变小了。屏幕上的每个数都来自计算引擎的记录，没有一个是手工填写的。"},
    "about_notes": {"en": "The lecture notes", "zh": "讲义笔记"},
    "about_notes_intro": {
        "en": "Each note's preset uses the note's network, starting numbers, order of steps and symbols. Where a "
              "note has an arithmetic slip, the tutor shows the correct value.",
        "zh": "每份笔记对应的预设都使用笔记里的网络、初始数值、步骤顺序和符号。笔记中个别计算笔误之处，导师给出的是正确的数值。"},
    "col_preset": {"en": "preset", "zh": "预设"},
    "col_title": {"en": "what it works through", "zh": "内容"},
    "col_source": {"en": "source file", "zh": "来源文件"},
    "about_notation": {"en": "Notation", "zh": "符号"},
    "about_notation_md": {
        "en": "A preset uses its note's own symbols ($w_5$, $h_1$, $y$, $t$, $E$, $\\eta$, $w_h$, $b_o$, ...). "
              "A network you build uses the standard notation:\n\n"
              "| symbol | meaning |\n|---|---|\n"
              "| $x_k$, $t_j$ | input $k$, target of output $j$ |\n"
              "| $w^{(l)}_{jk}$ | the weight from neuron $k$ of layer $l-1$ into neuron $j$ of layer $l$ |\n"
              "| $b^{(l)}_{j}$, $b^{(l)}$ | the bias of neuron $j$; a bias shared by the whole layer |\n"
              "| $z^{(l)}_{j} = \\sum_k w^{(l)}_{jk} a^{(l-1)}_k + b^{(l)}_j$ | the weighted sum |\n"
              "| $a^{(l)}_{j} = \\varphi(z^{(l)}_{j})$ | the neuron's output (layer 0: the inputs) |\n"
              "| $\\delta^{(l)}_{j} = \\frac{\\partial E}{\\partial z^{(l)}_{j}}$ | the neuron's error signal |\n"
              "| $E$, $\\eta$ | the error (loss), the learning rate |\n"
              "| $w^{+} = w - \\eta \\frac{\\partial E}{\\partial w}$ | the updated weight |\n"
              "| $a[2]$, $E_{2}$ | in a batch: sample 2's value, sample 2's error |",
        "zh": "预设使用对应笔记自己的符号（$w_5$、$h_1$、$y$、$t$、$E$、$\\eta$、$w_h$、$b_o$ ……）。"
              "自己搭建的网络使用标准符号：\n\n"
              "| 符号 | 含义 |\n|---|---|\n"
              "| $x_k$、$t_j$ | 第 $k$ 个输入、第 $j$ 个输出的目标值 |\n"
              "| $w^{(l)}_{jk}$ | 从第 $l-1$ 层第 $k$ 个神经元连到第 $l$ 层第 $j$ 个神经元的权重 |\n"
              "| $b^{(l)}_{j}$、$b^{(l)}$ | 第 $j$ 个神经元的偏置；整层共用的偏置 |\n"
              "| $z^{(l)}_{j} = \\sum_k w^{(l)}_{jk} a^{(l-1)}_k + b^{(l)}_j$ | 加权和 |\n"
              "| $a^{(l)}_{j} = \\varphi(z^{(l)}_{j})$ | 神经元的输出（第 0 层即输入） |\n"
              "| $\\delta^{(l)}_{j} = \\frac{\\partial E}{\\partial z^{(l)}_{j}}$ | 神经元的误差信号 |\n"
              "| $E$、$\\eta$ | 误差（损失）、学习率 |\n"
              "| $w^{+} = w - \\eta \\frac{\\partial E}{\\partial w}$ | 更新后的权重 |\n"
              "| $a[2]$、$E_{2}$ | 批处理中：第 2 个样本的值、第 2 个样本的误差 |"},
    "about_use": {"en": "How to use it", "zh": "使用方法"},
    "about_use_md": {
        "en": "- **Choose a network** in the sidebar: one of the notes or another preset.\n"
              "- **Step** with Previous / Next / First / Last, or jump to a phase: forward, error, backward, "
              "update, check. The current step is written large, with a one-line explanation; warnings mark the "
              "places where learners often slip.\n"
              "- **The diagram** shows each neuron's value so far and each weight. The current step's chain is "
              "highlighted in orange; after the backward pass the edges are coloured by their gradient. "
              "Click a neuron or a weight to jump to its step.\n"
              "- **Build your own** in “Build or edit the network”: layers, neurons, activations, loss, biases, "
              "learning rate, hand rounding, samples, and every weight. A cell that is not a number is named in "
              "a message and the last valid network stays on screen. Open or download the config as JSON.\n"
              "- **As in the note / Full detail** (sidebar, for the notes' networks): the note's own steps in its "
              "order and forms, with the line of the note, what it printed and any slip under each step; or all "
              "the tutor's steps too, the added ones marked. `?view=full` in a link.\n"
              "- **Fill in** (beside Presentation mode, `?mode=fill`): type each step's value before it is shown; "
              "it is marked at once (correct, carried or wrong with the likely mistake). Hint shows the formula in "
              "symbols, Reveal the value.\n"
              "- **Download** the worked solution as Markdown or LaTeX (in the order of the view shown) or CSV.\n"
              "- **Practice** (its own page): an exercise with fresh numbers from any network and a seed, or from a "
              "student's name or ID and an assignment word; open it here, fill in every step yourself, print a "
              "worksheet and its answer key, or make a class pack with a sheet for every student. A link such as "
              "`?exercise=note002&seed=7` opens the same exercise for everyone.\n"
              "- **Presentation mode** hides everything but the stepper and enlarges it for a classroom.\n"
              "- **Share a step**: the address bar always holds the network and the step, e.g. "
              "`?preset=note000&step=dE_dw:l2:n1:k1&lang=zh` (a step id, or its number: `step=7`). "
              "Add `present=1` for presentation mode.",
        "zh": "- 在侧边栏**选择网络**：任一份笔记的例子或其他预设。\n"
              "- 用“上一步 / 下一步 / 第一步 / 最后一步”**逐步演算**，或直接跳到某个阶段：前向传播、误差、反向传播、"
              "更新、检验。当前步骤以大字显示，并附一句说明；学习者容易出错的地方会有提醒。\n"
              "- **网络图**显示每个神经元目前算出的值和每个权重。当前步骤所在的链路以橙色高亮；反向传播结束后，"
              "连线按梯度着色。点击神经元或权重即可跳到对应步骤。\n"
              "- 在“搭建或修改网络”里**自己搭建**：层数、神经元个数、激活函数、损失函数、偏置、学习率、手算取整、"
              "样本以及每个权重。不是数字的单元格会在提示中指出，页面继续显示上一个有效的网络。配置可以用 JSON "
              "打开或下载。\n"
              "- **按笔记 / 完整步骤**（侧边栏，笔记的网络）：按笔记自己的步骤、顺序和写法，每一步下面注明笔记的原文、"
              "笔记写的数以及笔记的笔误；或者加上本页补充的全部步骤（标为“补充”）。链接里加 `?view=full`。\n"
              "- **自己填**（在演示模式旁边，`?mode=fill`）：每一步显示之前先输入你算的值，马上批改（正确、带错，"
              "或错误并指出可能的原因）。“提示”显示只含符号的公式，“显示答案”直接给出数值。\n"
              "- **下载**完整解答：Markdown、LaTeX（顺序与当前显示的一致）或 CSV。\n"
              "- **练习**（单独一页）：用任一网络和一个种子，或用学生的姓名/学号和作业名，生成一道数值全新的练习；"
              "可以在这里打开、每一步自己填，打印练习题和答案，或生成全班作业包，每个学生一份。"
              "像 `?exercise=note002&seed=7` 这样的链接，谁打开都是同一道练习。\n"
              "- **演示模式**只保留逐步演算部分并放大，适合课堂投影。\n"
              "- **分享某一步**：地址栏始终记录当前网络和步骤，例如 "
              "`?preset=note000&step=dE_dw:l2:n1:k1&lang=zh`（步骤编号，或序号：`step=7`）。"
              "加上 `present=1` 即进入演示模式。"},
    "about_keys": {"en": "Keyboard shortcuts", "zh": "快捷键"},
    "about_keys_md": {
        "en": "| key | action |\n|---|---|\n"
              "| → ↓ PageDown Space N | next step |\n| ← ↑ PageUp Shift+Space P | previous step |\n"
              "| Home | first step |\n| End | last step |\n| B or . | blank the screen (any key brings it back) |\n"
              "| F | full screen on or off |\n"
              "| Enter | fill in: check the value typed, then go on |\n| ? or Alt+H | fill in: a hint |\n"
              "| Esc | fill in: leave the box (then the arrows step) |\n\n"
              "A presenter's clicker sends PageDown and PageUp, so it steps too. The keys work whenever the "
              "cursor is not in a text field, a list or a table cell.",
        "zh": "| 按键 | 作用 |\n|---|---|\n"
              "| → ↓ PageDown 空格 N | 下一步 |\n| ← ↑ PageUp Shift+空格 P | 上一步 |\n"
              "| Home | 第一步 |\n| End | 最后一步 |\n| B 或 . | 黑屏（按任意键恢复） |\n"
              "| F | 全屏 / 退出全屏 |\n"
              "| Enter | 自己填：批改输入的值，再到下一步 |\n| ? 或 Alt+H | 自己填：提示 |\n"
              "| Esc | 自己填：离开输入框（之后方向键翻步） |\n\n"
              "演示翻页笔发送的是 PageDown 和 PageUp，同样可以翻步。光标不在文本框、下拉列表或表格单元格中时，"
              "快捷键都有效。"},
    "about_colours": {"en": "Colours", "zh": "颜色"},
    "about_colours_md": {
        "en": "Orange: the current step's chain. After the backward pass: blue edges have a negative gradient "
              "(the weight will grow), vermillion edges a positive one (it will shrink); thicker means larger. "
              "The palette (Okabe–Ito) stays distinguishable with the common forms of colour blindness.",
        "zh": "橙色：当前步骤所在的链路。反向传播结束后：蓝色连线的梯度为负（权重将变大），朱红色连线的梯度为正"
              "（权重将变小）；线越粗，梯度越大。这套配色（Okabe–Ito）对常见的色觉差异也易于分辨。"},
    # the check page (placeholder)
    "check_coming": {"en": "The self-check is coming: enter your own hand calculation and the tutor marks each "
                           "number, follows errors carried forward, and names the likely mistake.",
                     "zh": "自我检查功能即将上线：输入你手算的结果，导师会逐个批改，识别由前面错误带来的后续错误，"
                           "并指出最可能的错误原因。"},
    # the check page
    "chk_intro": {"en": "Did one iteration by hand? Enter your numbers and press Check: each is marked ✓ correct, "
                        "↪ carried (wrong only because an earlier number of yours was, the method is right) or "
                        "✗ wrong, with the likely mistake named.",
                  "zh": "手算完一次迭代了吗？输入你的结果并点击“检查”：每个数都会被判为 ✓ 正确、↪ 带错（只是因为你前面的某个数"
                        "错了，方法是对的）或 ✗ 错误，并指出最可能的错误原因。"},
    "chk_network": {"en": "Check against", "zh": "对照的网络"},
    "chk_network_help": {"en": "A preset, or the network you built or edited on the Step-through page.",
                         "zh": "一个预设，或你在“逐步演算”页面搭建或修改的网络。"},
    "chk_current": {"en": "The network on the Step-through page ({how})", "zh": "“逐步演算”页面上的网络（{how}）"},
    "chk_exercise": {"en": "an exercise with fresh numbers", "zh": "换了新数的练习"},
    "chk_tab_paste": {"en": "Paste lines", "zh": "粘贴算式"},
    "chk_tab_fields": {"en": "One field per step", "zh": "逐步填写"},
    "chk_paste_label": {"en": "Your numbers, one per line, written as on paper",
                        "zh": "你的结果，每行一个，照纸上的写法"},
    "chk_paste_help": {
        "en": "Write name = number: `h1 = 1.25`, `dE/dw5 = 1.3125`, `w5+ = 0.86875`, `∂E/∂w1 = 1.05`, `η = 0.1`. "
              "Only the name and the last number count (`dE/dw5 = 1.05 × 1.25 = 1.3125`); separate several answers "
              "on one line with `;`. Lines starting with `#` are skipped.",
        "zh": "写成 名称 = 数值：`h1 = 1.25`、`dE/dw5 = 1.3125`、`w5+ = 0.86875`、`∂E/∂w1 = 1.05`、`η = 0.1`。"
              "只看名称和最后一个数（`dE/dw5 = 1.05 × 1.25 = 1.3125`）；一行写几个答案时用 `;` 隔开。"
              "以 `#` 开头的行会被跳过。"},
    "chk_names": {"en": "Names you can use ({n})", "zh": "可以使用的名称（{n} 个）"},
    "chk_names_intro": {
        "en": "Each number's name in this network's notation. Common spellings work too: `h_1`, `dE/dw5` or "
              "`∂E/∂w_5` or `\\frac{\\partial E}{\\partial w_5}`, `w5+` / `w5_new` / `new_w5`, `eta` or `lr`, "
              "`delta_o` / `δ_o`, a step id; in a batch the sample after the name, `[2]` or `(sample 2)`; "
              "after the update, `y after` or `E_after`.",
        "zh": "下表是每个数在这个网络的符号体系里的名称。常见写法也能识别：`h_1`，`dE/dw5`、`∂E/∂w_5` 或 "
              "`\\frac{\\partial E}{\\partial w_5}`，`w5+` / `w5_new` / `new_w5`，`eta` 或 `lr`，`delta_o` / `δ_o`，"
              "步骤编号；批处理时在名称后写样本，`[2]` 或 `(样本 2)`；更新之后的量写 `y after` 或 `E_after`。"},
    "col_name": {"en": "name", "zh": "名称"},
    "chk_all_steps": {"en": "Every step (also the local derivatives)", "zh": "显示所有步骤（包括局部导数）"},
    "chk_all_steps_help": {
        "en": "Off: only the numbers a hand calculation usually writes down: z and a, the losses, ∂E/∂a at the "
              "outputs, δ, the batch gradients, the new weights and biases, the loss after the update.",
        "zh": "关闭时只列出手算通常会写下的数：z 和 a、损失、输出层的 ∂E/∂a、δ、整批的梯度、新的权重和偏置、"
              "更新后的损失。"},
    "chk_fields_intro": {"en": "Fill in the numbers you have; leave the rest empty.",
                         "zh": "填写你算出的数，其余留空即可。"},
    "chk_button": {"en": "Check", "zh": "检查"},
    "chk_tolerance": {"en": "Tolerance (optional)", "zh": "容差（可选）"},
    "chk_tolerance_help": {"en": "Empty: each number is marked at the precision you wrote it. A tolerance: correct "
                                 "when |yours − right| ≤ tolerance.",
                           "zh": "留空：按你写出的位数判定。填入容差：|你的答案 − 正确值| ≤ 容差 即为正确。"},
    "chk_tolerance_off": {"en": "off", "zh": "不使用"},
    "chk_accept": {"en": "Accept", "zh": "接受的写法"},
    "chk_accept_strict": {"en": "rounded or cut off", "zh": "四舍五入或截断"},
    "chk_accept_last_digit": {"en": "rounded or cut off, last digit ±1", "zh": "四舍五入或截断，末位 ±1"},
    "chk_accept_help": {
        "en": "Rounded or cut off: the right value rounded or cut off at the last digit you wrote must read as your "
              "number. Last digit ±1: your last digit may also be one off (like STACK's NumSigFigs [n, n−1]). "
              "A tolerance, when given, replaces both.",
        "zh": "四舍五入或截断：把正确值在你写的最后一位四舍五入或截断后，要与你的数相同。末位 ±1：最后一位差 1 也算对"
              "（类似 STACK 的 NumSigFigs [n, n−1]）。填了容差时以容差为准。"},
    "chk_precision_rule": {
        "en": "Precision: a number is correct when the right value, rounded or cut off to the decimals you wrote, "
              "reads as your number (0.2984 and 0.2983 for 0.298371…; with “last digit ±1” also 0.2985 and 0.2982); "
              "with fewer than 2 significant figures it must be exact, or it is marked “too few significant figures”.",
        "zh": "精度规则：把正确值四舍五入或截断到你写的小数位数后与你的数相同，即为正确（0.298371… 写成 0.2984 或 "
              "0.2983 都对；选“末位 ±1”时 0.2985、0.2982 也对）；有效数字少于 2 位的数必须完全相等，否则判为“有效数字太少”。"},
    "chk_rules_title": {"en": "How your work is marked", "zh": "评分规则"},
    "chk_rules_md": {
        "en": "- **Right values first.** Each number is compared with the right value at the precision you wrote it: "
              "the right value rounded or cut off at your last digit. With *last digit ±1* the last digit may also "
              "be one off. A number with fewer than 2 significant figures must be exact; otherwise it is marked "
              "*too few significant figures* (0.03 for 0.0278).\n"
              "- **Follow-through.** A number that is not right is then marked with your own earlier numbers: if the "
              "right method gives it from them, it is *carried* (↪), and the explanation names the earlier numbers "
              "it used.\n"
              "- **One penalty per distinct error.** A mark for every number, less one for each distinct mistake; "
              "the numbers carried from a mistake cost nothing more.\n"
              "- **Rounded too early.** A number can be right at its own precision and still be rounded too "
              "coarsely for what follows. If a later number of yours is wrong at *its* precision only because of "
              "that rounding (it is exactly what your numbers give, and would be right had the earlier number been "
              "exact), the first number where the rounding entered is marked wrong, *rounded too early*, with how "
              "many significant figures the later numbers need; the later ones are carried. Keep more figures in "
              "the intermediate numbers than in the answers.\n"
              "- **No credit when an error made the step trivial.** If a wrong earlier number makes a step need no "
              "work (a sigmoid derivative a(1 − a) = 0 because a = 0 or 1, a tanh derivative 1 − a² = 0, a dead "
              "ReLU, a product with a factor 0, an update by a gradient 0), that step is marked wrong, with the "
              "reason, not carried.\n"
              "- **Tolerance.** A tolerance replaces the digit rules: correct when |yours − right| ≤ tolerance.",
        "zh": "- **先对照正确值。** 每个数都按你写的精度与正确值比较：把正确值在你写的最后一位四舍五入或截断。选“末位 ±1”"
              "时，最后一位差 1 也算对。有效数字少于 2 位的数必须完全相等，否则判为“有效数字太少”（例如把 0.0278 "
              "写成 0.03）。\n"
              "- **带错计分。** 与正确值不符的数，再用你前面自己的数来批改：如果按正确的方法由这些数能算出它，就判为"
              "“带错”（↪），解释里会写明用了你前面的哪些数。\n"
              "- **每个独立错误只扣一次分。** 每个数一分，每个独立的错误扣一分；由它带下来的数不再扣分。\n"
              "- **过早四舍五入。** 一个中间值在它自己的精度下可能是对的，却舍入得太粗。如果你后面的某个数只是因为这次"
              "舍入，在它自己的精度下出了错（它正是用你的数算出的，而前面那个数若不舍入它就是对的），最先引入这次舍入"
              "的数判为错误，即“过早四舍五入”，并说明后面的数至少需要几位有效数字；后面的数判为带错。中间结果要比"
              "最终答案多保留几位。\n"
              "- **错误让这一步变得平凡时不给带错分。** 如果前面错误的数让某一步无需计算（sigmoid 的导数 a(1 − a) 因 "
              "a = 0 或 1 而为 0、tanh 的导数 1 − a² = 0、ReLU 失活、乘积里有一个因子为 0、按为 0 的偏导更新），"
              "这一步判为错误并说明原因，不算带错。\n"
              "- **容差。** 填了容差就不看位数：|你的答案 − 正确值| ≤ 容差 即为正确。"},
    "chk_models_intro": {"en": "The mistakes the checker can name, with a note for the teacher:",
                         "zh": "检查器能识别的错误，以及给老师的说明："},
    "col_reproduces": {"en": "what it reproduces", "zh": "对应的算法"},
    "col_teacher": {"en": "note for the teacher", "zh": "给老师的说明"},
    "chk_nothing": {"en": "Nothing to check yet: paste lines or fill in some fields, then press Check.",
                    "zh": "还没有可检查的内容：请粘贴算式或填写一些数值，然后点击“检查”。"},
    "chk_stale": {"en": "Your answers have changed since you pressed Check: press Check again to mark them.",
                  "zh": "点击“检查”之后你修改了答案：请再点一次“检查”。"},
    "chk_problems": {"en": "Some input could not be read (the rest was checked):",
                     "zh": "有些输入无法识别（其余的已经检查）："},
    "chk_results": {"en": "Results", "zh": "结果"},
    "chk_marks": {"en": "{marks} / {out_of} marks", "zh": "得分 {marks} / {out_of}"},
    "chk_errors_none": {"en": "no errors", "zh": "没有错误"},
    "chk_errors_one": {"en": "1 distinct error", "zh": "1 个独立错误"},
    "chk_errors": {"en": "{n} distinct errors", "zh": "{n} 个独立错误"},
    "chk_carried_free": {"en": "{n} carried forward (no further penalty)", "zh": "{n} 个带错（不再扣分）"},
    "chk_score_carried": {"en": "{n} carried", "zh": "带错 {n} 个"},
    "chk_score_wrong": {"en": "{n} wrong", "zh": "错误 {n} 个"},
    "chk_all_correct": {"en": "All correct.", "zh": "全部正确。"},
    "chk_only_carried": {"en": "No new mistakes: every number that is off follows from an earlier one of yours.",
                         "zh": "没有新的错误：所有不对的数都是由你前面的数带下来的。"},
    "col_given": {"en": "your value", "zh": "你的答案"},
    "col_expected": {"en": "right value", "zh": "正确值"},
    "col_verdict": {"en": "mark", "zh": "判定"},
    "col_mistake": {"en": "likely mistake", "zh": "可能的错误"},
    "verdict_correct": {"en": "✓ correct", "zh": "✓ 正确"},
    "verdict_carried": {"en": "↪ carried", "zh": "↪ 带错"},
    "verdict_wrong": {"en": "✗ wrong", "zh": "✗ 错误"},
    "mistake_carried": {"en": "carried forward from {sources}", "zh": "由 {sources} 带下来的错误"},
    "mistake_none": {"en": "not one of the common mistakes", "zh": "不属于常见错误"},
    "chk_first_wrong": {"en": "First wrong answer: {name}", "zh": "第一个错误：{name}"},
    "chk_right_computation": {"en": "The right computation:", "zh": "正确的算法："},
    "chk_diagram_caption": {"en": "Where {name} is in the network: its neuron or weight in black, the numbers it "
                                  "comes from in orange.",
                            "zh": "{name} 在网络中的位置：它的神经元或权重以黑色标出，它用到的数以橙色标出。"},
    "chk_explain_all": {"en": "Every answer that is not correct, explained ({n})",
                        "zh": "所有不正确的答案及解释（{n} 个）"},
    # problems in the learner's fields (the pasted lines' problems come from the engine, in both languages)
    "prob_field": {"en": "Field {name}: “{text}” is not a number.", "zh": "输入框 {name}：“{text}”不是数字。"},
    "prob_both": {"en": "{name} is both in a field and in the pasted lines; both are marked.",
                  "zh": "{name} 既在输入框里又在粘贴的算式里；两个都会批改。"},
    # check the notes
    "notes_title": {"en": "Check the notes", "zh": "检查讲义"},
    "notes_intro": {"en": "Every number a lecture note prints, marked as if a learner had written it. The notes "
                          "contain a few slips; each is listed with the right value and the likely mistake.",
                    "zh": "把讲义里印出的每个数都当作学习者的答案来批改。讲义里有少量笔误，下面逐个列出正确值和最可能的错误原因。"},
    "col_note": {"en": "note", "zh": "讲义"},
    "col_printed": {"en": "printed numbers", "zh": "印出的数"},
    "col_slips": {"en": "not correct", "zh": "不正确"},
    "notes_pick": {"en": "Show the slips of", "zh": "查看笔误"},
    "notes_count": {"en": "{note}: {slips} slips in {printed} printed numbers ({kinds})",
                    "zh": "{note}：印出的 {printed} 个数中有 {slips} 处笔误（{kinds}）"},
    "notes_count_one": {"en": "{note}: 1 slip in {printed} printed numbers ({kinds})",
                        "zh": "{note}：印出的 {printed} 个数中有 1 处笔误（{kinds}）"},
    "notes_clean": {"en": "{note}: all {printed} printed numbers are correct.",
                    "zh": "{note}：印出的 {printed} 个数全部正确。"},
    "notes_empty": {"en": "{note}: no printed numbers are recorded for this preset.",
                    "zh": "{note}：这个预设没有记录讲义印出的数。"},
    "notes_experiment": {"en": "Experiment", "zh": "实验"},
    "col_where": {"en": "where in the note", "zh": "讲义中的位置"},
    "col_note_value": {"en": "the note printed", "zh": "讲义印的"},
    # the stepper component
    "stepper_loading": {"en": "Loading this part of the trace…", "zh": "正在载入这一部分步骤……"},
    "stepper_blank_hint": {"en": "Screen blanked: press any key", "zh": "已黑屏：按任意键恢复"},
    "stepper_keys": {"en": "Keys: → ↓ PageDown Space next · ← ↑ PageUp previous · Home End · B blank · F full screen",
                     "zh": "快捷键：→ ↓ PageDown 空格 下一步 · ← ↑ PageUp 上一步 · Home End · B 黑屏 · F 全屏"},
    "stepper_diagram": {"en": "The network: neurons, weights and the error", "zh": "网络图：神经元、权重和误差"},
    "stepper_formula": {"en": "The current step's formula", "zh": "当前步骤的公式"},
    "stepper_phases": {"en": "Jump to a phase", "zh": "跳到某个阶段"},
    "stepper_nav": {"en": "Step through", "zh": "逐步演算"},
    "stepper_unshowable": {"en": "This network's numbers cannot be shown ({error}): a value overflowed. Choose "
                                 "smaller weights or inputs.",
                           "zh": "这个网络的数值无法显示（{error}）：有数值溢出。请改用更小的权重或输入。"},
    # fill-in mode in Step through (issue 12; ui/fillin.py, the stepper component's fill-in section)
    "fill_mode": {"en": "Fill in", "zh": "自己填"},
    "fill_mode_help": {"en": "Type each step's value before it is shown; it is marked at once, then shown "
                             "(also ?mode=fill).",
                       "zh": "每一步先自己算出数值填进去，立即判定后再显示答案（也可用 ?mode=fill）。"},
    "bad_mode": {"en": "'mode={value}' in the link is not fill; fill-in mode is off.",
                 "zh": "链接里的“mode={value}”不是 fill，填写模式保持关闭。"},
    "fill_keys": {"en": "Fill in: type the value · Enter check, Enter again next · Alt+H or ? hint · Esc leaves the "
                        "box, then → next",
                  "zh": "填写：输入数值 · Enter 检查，再按 Enter 下一步 · Alt+H 或 ? 提示 · Esc 离开输入框，再按 → 下一步"},
    "fill_label": {"en": "Your value for {symbol}", "zh": "你算出的 {symbol}"},
    "fill_placeholder": {"en": "your value", "zh": "填你的结果"},
    "fill_check": {"en": "Check", "zh": "检查"},
    "fill_hint": {"en": "Hint", "zh": "提示"},
    "fill_reveal": {"en": "Reveal", "zh": "显示答案"},
    "fill_restart": {"en": "Start again", "zh": "重新开始"},
    "fill_correct": {"en": "Correct", "zh": "正确"},
    "fill_carried": {"en": "Carried", "zh": "带错"},
    "fill_wrong": {"en": "Wrong", "zh": "错误"},
    "fill_revealed": {"en": "Revealed", "zh": "已显示答案"},
    "fill_yours": {"en": "you wrote {given}", "zh": "你填的是 {given}"},
    "fill_checking": {"en": "Checking…", "zh": "正在检查……"},
    "fill_no_reply": {"en": "No reply from the server; press Enter to try again.",
                      "zh": "服务器没有回应，请再按一次 Enter。"},
    "fill_no_hint": {"en": "No formula to hint at: this step takes the value of the one before.",
                     "zh": "这一步没有公式可提示：它直接沿用上一步的值。"},
    "fill_score": {"en": "{correct} correct · {carried} carried · {wrong} wrong · {revealed} revealed of {total}",
                   "zh": "正确 {correct} · 带错 {carried} · 错误 {wrong} · 显示答案 {revealed} · 共 {total} 步"},
    "fill_marks": {"en": "score {marks} / {out_of}", "zh": "得分 {marks} / {out_of}"},
    "fill_region": {"en": "Fill in this step", "zh": "填写这一步"},
    "fill_empty": {"en": "Type a number first, e.g. 1.25, -0.3 or 3/4.",
                   "zh": "请先填一个数，例如 1.25、-0.3 或 3/4。"},
    "fill_too_long": {"en": "That is {n} characters; a number here has at most {limit}.",
                      "zh": "这里有 {n} 个字符，一个数最多 {limit} 个字符。"},
    "fill_not_number": {"en": "'{text}' is not a number: write e.g. 1.25, -0.3, 1e-3 or 3/4.",
                        "zh": "“{text}”不是数字，请写成 1.25、-0.3、1e-3 或 3/4 这样的形式。"},
    "fill_not_finite": {"en": "'{text}' is not a finite number.", "zh": "“{text}”不是有限的数。"},
    "fill_too_many": {"en": "At most {limit} answers per network; press Start again to begin anew.",
                      "zh": "每个网络最多填 {limit} 个答案；请按“重新开始”。"},
    "fill_unmarkable": {"en": "This answer could not be marked ({kind}); it was not kept.",
                        "zh": "这个答案无法判定（{kind}），没有保存。"},
    # exercises and worksheets (issue 12; pages/practice.py, ui/exercises.py, ui/worksheets.py)
    "page_practice": {"en": "Practice", "zh": "练习"},
    "exercise_title": {"en": "Exercise: {title} · seed {seed}", "zh": "练习：{title} · 种子 {seed}"},
    "bad_exercise": {"en": "There is no exercise template '{value}' (use a preset's id, e.g. note002); showing "
                           "{fallback} instead.",
                     "zh": "没有名为“{value}”的练习模板（请用预设的编号，例如 note002），改为显示 {fallback}。"},
    "bad_seed": {"en": "'seed={value}' in the link is not a whole number from 0 to {limit}; showing {fallback} "
                       "instead.",
                 "zh": "链接里的“seed={value}”不是 0 到 {limit} 之间的整数，改为显示 {fallback}。"},
    "bad_student": {"en": "The student's name or assignment in the link cannot be used ({error}); showing "
                          "{fallback} instead.",
                    "zh": "链接里的学生姓名或作业名无法使用（{error}），改为显示 {fallback}。"},
    "bad_exercise_version": {"en": "This link was made for exercise format version {value}; this tutor makes "
                                   "version {version}, so the numbers may differ from a sheet printed from it.",
                             "zh": "这个链接对应练习格式版本 {value}，本程序生成的是版本 {version}，"
                                   "数值可能与按该链接打印的练习题不同。"},
    "exercise_failed": {"en": "The exercise could not be made ({error}); showing {fallback} instead.",
                        "zh": "无法生成这道练习（{error}），改为显示 {fallback}。"},
    "pr_intro": {"en": "Work one iteration by hand on numbers nobody has solved for you. Choose a network as the "
                       "template and a seed, or a student's name or ID and an assignment word: the same choice always "
                       "gives the same exercise. Open it in Step through, fill in every step yourself, or print a "
                       "worksheet and its answer key. A class pack gives every student a sheet of their own.",
                 "zh": "用没人替你算过的数，亲手做一轮反向传播。选一个网络作模板，再选一个种子，或填学生的姓名/学号"
                       "和作业名：同样的选择总是得到同一道练习。可以在“逐步演算”里打开、每一步自己填，"
                       "或打印练习题和答案。全班作业包让每个学生拿到一份不同的题。"},
    "pr_template": {"en": "Template", "zh": "模板"},
    "pr_template_help": {"en": "The exercise keeps the template's shape, activations, loss, batch, learning rate, "
                               "rounding and symbols, and draws new weights, biases, inputs and targets with at most "
                               "two decimals, none of them degenerate.",
                         "zh": "练习保留模板的结构、激活函数、损失函数、批大小、学习率、取整方式和符号，"
                               "重新抽取权重、偏置、输入和目标值（最多两位小数），并避开退化的情形。"},
    "pr_current": {"en": "The network on Step through now ({how})", "zh": "“逐步演算”里现在的网络（{how}）"},
    "pr_current_exercise": {"en": "an exercise", "zh": "练习"},
    "pr_by": {"en": "Numbers from", "zh": "数从哪里来"},
    "pr_by_seed": {"en": "a seed", "zh": "种子"},
    "pr_by_name": {"en": "a student's name or ID", "zh": "学生姓名或学号"},
    "pr_seed": {"en": "Seed", "zh": "种子"},
    "pr_seed_help": {"en": "A whole number from 0 to {limit}: the same seed gives the same numbers.",
                     "zh": "0 到 {limit} 之间的整数：同一个种子总是得到同样的数。"},
    "pr_new_seed": {"en": "New numbers", "zh": "换一组数"},
    "pr_name": {"en": "Name or student ID", "zh": "姓名或学号"},
    "pr_assignment": {"en": "Assignment word", "zh": "作业名"},
    "pr_assignment_help": {"en": "For example hw3: the same student gets other numbers in another assignment.",
                           "zh": "例如 hw3：同一个学生在另一次作业里得到另一组数。"},
    "pr_name_seed": {"en": "Seed of {name}: {seed}", "zh": "{name} 的种子：{seed}"},
    "pr_name_needed": {"en": "Type a name or ID: its seed gives the numbers.", "zh": "请填写姓名或学号，由它得出种子。"},
    "pr_bad_name": {"en": "This name cannot be used: {error}", "zh": "这个名字无法使用：{error}"},
    "pr_exercise": {"en": "**{title}** · exercise format version {version} · {steps} lines to fill in",
                    "zh": "**{title}** · 练习格式版本 {version} · 共 {steps} 行要填"},
    "pr_failed": {"en": "No exercise can be made from this network: {error}", "zh": "无法用这个网络生成练习：{error}"},
    "pr_open": {"en": "Open in Step through", "zh": "在逐步演算中打开"},
    "pr_fill": {"en": "Fill in step by step", "zh": "逐步自己填"},
    "pr_print_sheet": {"en": "Print worksheet", "zh": "打印练习题"},
    "pr_print_key": {"en": "Print answer key", "zh": "打印答案"},
    "pr_link": {"en": "Link to this exercise (the same numbers for everyone who opens it):",
                "zh": "这道练习的链接（打开它的人都得到同样的数）："},
    "pr_link_own": {"en": "An exercise of your own network cannot be put in a link: share its worksheet or config.",
                    "zh": "用自己的网络生成的练习无法放进链接，请分享它的练习题或配置文件。"},
    "pr_decimals": {"en": "Decimals on the sheet", "zh": "保留小数位数"},
    "pr_dl_sheet_tex": {"en": "Worksheet (LaTeX)", "zh": "练习题（LaTeX）"},
    "pr_dl_sheet_md": {"en": "Worksheet (Markdown)", "zh": "练习题（Markdown）"},
    "pr_dl_key_tex": {"en": "Answer key (LaTeX)", "zh": "答案（LaTeX）"},
    "pr_dl_key_md": {"en": "Answer key (Markdown)", "zh": "答案（Markdown）"},
    "pr_dl_config": {"en": "Exercise config (JSON)", "zh": "练习配置（JSON）"},
    "pr_latex_note": {"en": "LaTeX: pdflatex for English, xelatex for Chinese (ctexart). The config file opens in "
                            "Step through and in `python -m engine trace` / `check`.",
                      "zh": "LaTeX：英文用 pdflatex，中文用 xelatex（ctexart）编译。配置文件可以在“逐步演算”里打开，"
                            "也可用于 `python -m engine trace` / `check`。"},
    "pr_sheet_too_large": {"en": "This network has {steps} steps: too many for a worksheet in the browser (at most "
                                 "{limit}). Download it as LaTeX instead.",
                           "zh": "这个网络有 {steps} 步，超出了浏览器里一份练习题的上限（{limit} 步），请下载 LaTeX 版。"},
    "pr_pack": {"en": "Class pack", "zh": "全班作业包"},
    "pr_pack_intro": {"en": "One file with every student's worksheet and one with every answer key, one student a "
                            "page. From names or IDs, each seed comes from the name and the assignment word, so any "
                            "student's sheet and key can be made again later.",
                      "zh": "一个文件包含全班的练习题，另一个包含全部答案，每个学生一页。按姓名或学号生成时，"
                            "种子由姓名和作业名得出，以后随时可以重新生成任何一个学生的练习题和答案。"},
    "pr_pack_by": {"en": "Students", "zh": "学生"},
    "pr_pack_by_names": {"en": "names or IDs", "zh": "姓名或学号名单"},
    "pr_pack_by_seeds": {"en": "a range of seeds", "zh": "一段连续的种子"},
    "pr_pack_names": {"en": "Names or IDs, one a line (at most {limit})", "zh": "姓名或学号，每行一个（最多 {limit} 个）"},
    "pr_pack_first": {"en": "First seed", "zh": "起始种子"},
    "pr_pack_count": {"en": "Students", "zh": "学生人数"},
    "pr_pack_format": {"en": "Format", "zh": "格式"},
    "pr_pack_students": {"en": "{n} students", "zh": "{n} 名学生"},
    "pr_pack_too_many": {"en": "{n} names: a class pack holds at most {limit}.",
                         "zh": "共 {n} 个名字，一个作业包最多 {limit} 个。"},
    "pr_pack_line": {"en": "line {n}", "zh": "第 {n} 行"},
    "pr_pack_empty": {"en": "Type at least one name or ID.", "zh": "请至少填一个姓名或学号。"},
    "pr_pack_too_large": {"en": "{n} students × {steps} steps is beyond the {limit} steps one pack may have: use at "
                                "most {most} students for this network.",
                          "zh": "{n} 名学生 × {steps} 步，超出了一个作业包 {limit} 步的上限：这个网络最多 {most} 名学生。"},
    "pr_pack_sheets": {"en": "All worksheets", "zh": "全部练习题"},
    "pr_pack_keys": {"en": "All answer keys", "zh": "全部答案"},
    "pr_pack_print_sheets": {"en": "Print all worksheets", "zh": "打印全部练习题"},
    "pr_pack_print_keys": {"en": "Print all answer keys", "zh": "打印全部答案"},
    "pr_pack_print_limit": {"en": "The browser prints at most {limit} students at a time for this network; download "
                                  "the pack for more.",
                            "zh": "这个网络在浏览器里一次最多打印 {limit} 名学生；更多请下载作业包。"},
    "pr_pack_seeds": {"en": "Each student's seed", "zh": "每个学生的种子"},
    "pr_col_name": {"en": "Name / ID", "zh": "姓名/学号"},
    "pr_col_seed": {"en": "Seed", "zh": "种子"},
    "pr_back": {"en": "Back to Practice", "zh": "返回练习"},
    "pr_print_now": {"en": "Print", "zh": "打印"},
    "pr_print_tip": {"en": "Or press Ctrl+P (⌘P on a Mac); choose “Save as PDF” to keep a file. Only the sheets are "
                           "printed, each student on a new page.",
                     "zh": "也可以按 Ctrl+P（Mac 上按 ⌘P）；选“另存为 PDF”即可保存成文件。只打印练习题本身，"
                           "每个学生从新的一页开始。"},
    # a network that could not be used (issue 8); the previous one stays
    "unusable": {"en": "This network could not be shown ({kind}); the previous network stays.",
                 "zh": "无法显示这个网络（{kind}），继续使用之前的网络。"},
    "unusable_config": {"en": "This network could not be shown: {error}. The previous network stays.",
                        "zh": "无法显示这个网络：{error}。继续使用之前的网络。"},
    "unusable_text": {"en": "it contains text that is not valid Unicode (a lone surrogate such as \\ud800)",
                      "zh": "其中有不是合法 Unicode 的文本（例如单独的代理码位 \\ud800）"},
    "upload_too_big": {"en": "the file is larger than {limit} MB", "zh": "文件大于 {limit} MB"},
    "upload_bad_utf8": {"en": "the file is not UTF-8 text (invalid byte 0x{byte} at position {pos})",
                        "zh": "文件不是 UTF-8 文本（第 {pos} 个字节 0x{byte} 无效）"},
}


def t(key: str, lang: str, **fmt) -> Md:
    """The string `key` in `lang` (English when missing) as Markdown, with `{name}` fields filled from `fmt`.

    NOTE: the strings are trusted Markdown; a str parameter is escaped (ui.safe.text: shown literally, at
    most ui.safe.MAX_TEXT characters) unless it is an `Md` (trusted, or escaped already, such as another
    t()); numbers, and a placeholder such as "{n}" (a template for the browser), are used as they are.
    For a sink that shows text as text (a select option, a dataframe cell) use `t_plain`.
    """
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    if not fmt:
        return Md(text)
    return Md(text.format(**{k: v if not isinstance(v, str) or _PLACEHOLDER.fullmatch(v) else safe_text(v)
                             for k, v in fmt.items()}))


def t_plain(key: str, lang: str, **fmt) -> str:
    """The string `key` for a plain-text sink: parameters cleaned (no control characters), not escaped."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**{k: safe_plain(v) if isinstance(v, str) else v for k, v in fmt.items()}) if fmt else text
